using System.Text.Json;
using System.Text.Json.Serialization;
using Quantize.Shared;

namespace Quantize.Cli.Build;

/// <summary>
/// What one project build asks the worker to do: every stale <c>QuantizedModel</c> item, fully resolved by the
/// MSBuild task (absolute paths, defaults applied). The task writes this as JSON (see docs/build-request.md)
/// because a netstandard2.0 task without dependencies can write JSON reliably, while command-line quoting
/// of many paths with spaces through a response file is easy to get wrong.
/// </summary>
internal sealed class BuildRequest
{
    /// <summary>Format version of this file; the task and the worker ship in the same package, so a mismatch is a packaging defect.</summary>
    [JsonPropertyName(RequestFields.Version)]
    public int Version { get; init; }

    /// <summary>IDE design-time build: write manifests only, never quantize.</summary>
    [JsonPropertyName(RequestFields.DesignTime)]
    public bool DesignTime { get; init; }

    /// <summary>The Microsoft.ML.OnnxRuntime version the consuming project resolves, or empty when unknown.</summary>
    [JsonPropertyName(RequestFields.OnnxRuntimeVersion)]
    public string? OnnxRuntimeVersion { get; init; }

    /// <summary>The project file the models belong to: project-level problems (remote-cache properties) are reported on it.</summary>
    [JsonPropertyName(RequestFields.ProjectFile)]
    public string? ProjectFile { get; init; }

    /// <summary>The project's shared remote cache, or null when it has none (docs/remote-cache.md).</summary>
    [JsonPropertyName(RequestFields.RemoteCache)]
    public BuildRemoteCacheRequest? RemoteCache { get; init; }

    /// <summary>The models to bring up to date.</summary>
    [JsonPropertyName(RequestFields.Models)]
    public List<BuildModelRequest> Models { get; init; } = [];

    /// <summary>Reads and checks a request file.</summary>
    public static BuildRequest Load(string path)
    {
        using var stream = File.OpenRead(path);
        var request = JsonSerializer.Deserialize(stream, BuildRequestJson.Default.BuildRequest)
            ?? throw new InvalidDataException($"The build request '{path}' is empty.");
        if (request.Version != RequestFields.CurrentVersion)
        {
            throw new InvalidDataException($"The build request '{path}' has version {request.Version}; this worker reads version {RequestFields.CurrentVersion}. The Quantize.Build package is inconsistent.");
        }

        return request;
    }
}

/// <summary>One <c>QuantizedModel</c> item as the task resolved it.</summary>
internal sealed class BuildModelRequest
{
    /// <summary>The item's path as written in the project (goes into the manifest).</summary>
    [JsonPropertyName(RequestFields.ItemSpec)]
    public string ItemSpec { get; init; } = "";

    /// <summary>Absolute path of the float model; diagnostics are reported on it.</summary>
    [JsonPropertyName(RequestFields.Source)]
    public string Source { get; init; } = "";

    /// <summary>The generated class.</summary>
    [JsonPropertyName(RequestFields.ClassName)]
    public string ClassName { get; init; } = "";

    /// <summary>The generated class's namespace ("" for the global one).</summary>
    [JsonPropertyName(RequestFields.Namespace)]
    public string Namespace { get; init; } = "";

    /// <summary>Embed the model as a resource (true) or copy it beside the app (false).</summary>
    [JsonPropertyName(RequestFields.Embed)]
    public bool Embed { get; init; } = true;

    /// <summary>The manifest resource's LogicalName when embedded.</summary>
    [JsonPropertyName(RequestFields.ResourceName)]
    public string ResourceName { get; init; } = "";

    /// <summary>The model's file name beside the app when not embedded (and in messages).</summary>
    [JsonPropertyName(RequestFields.ModelFileName)]
    public string ModelFileName { get; init; } = "";

    /// <summary>Where the quantized model goes (under obj/).</summary>
    [JsonPropertyName(RequestFields.OutputModel)]
    public string OutputModel { get; init; } = "";

    /// <summary>Where the manifest goes (under obj/).</summary>
    [JsonPropertyName(RequestFields.Manifest)]
    public string Manifest { get; init; } = "";

    /// <summary>A file the worker touches after the model is fully up to date: the task's staleness check compares against it.</summary>
    [JsonPropertyName(RequestFields.DoneMarker)]
    public string DoneMarker { get; init; } = "";

    /// <summary>The content-addressed cache folder.</summary>
    [JsonPropertyName(RequestFields.CacheDirectory)]
    public string CacheDirectory { get; init; } = "";

    /// <summary>The project folder: CalibrationData and Vocab are relative to it.</summary>
    [JsonPropertyName(RequestFields.ProjectDirectory)]
    public string ProjectDirectory { get; init; } = "";

    /// <summary>Where the worker lists the calibration files it read (one absolute path a line), for the task's staleness check.</summary>
    [JsonPropertyName(RequestFields.DependencyFile)]
    public string DependencyFile { get; init; } = "";

    /// <summary>Where the quality report's HTML page goes (under obj/), beside the model.</summary>
    [JsonPropertyName(RequestFields.ReportHtml)]
    public string ReportHtml { get; init; } = "";

    /// <summary>Where the quality report's Markdown summary goes (under obj/).</summary>
    [JsonPropertyName(RequestFields.ReportMarkdown)]
    public string ReportMarkdown { get; init; } = "";

    /// <summary>The engine metadata of the item (Precision, BlockSize...), exactly as written; the worker parses them.</summary>
    [JsonPropertyName(RequestFields.Settings)]
    public Dictionary<string, string> Settings { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The <c>QuantizeRemoteCache*</c> properties as the task passed them; the credential itself never passes through here.</summary>
internal sealed class BuildRemoteCacheRequest
{
    /// <summary><c>QuantizeRemoteCache</c>: the server's base URL ("" for none).</summary>
    [JsonPropertyName(RequestFields.Url)]
    public string Url { get; init; } = "";

    /// <summary><c>QuantizeRemoteCacheMode</c>: ReadWrite (default), ReadOnly or Off.</summary>
    [JsonPropertyName(RequestFields.Mode)]
    public string Mode { get; init; } = "";

    /// <summary><c>QuantizeRemoteCacheTokenVariable</c>: the environment variable that holds the credential.</summary>
    [JsonPropertyName(RequestFields.TokenVariable)]
    public string TokenVariable { get; init; } = "";

    /// <summary><c>QuantizeRemoteCacheAuthScheme</c>: Bearer (default) or Basic.</summary>
    [JsonPropertyName(RequestFields.AuthScheme)]
    public string AuthScheme { get; init; } = "";

    /// <summary><c>QuantizeRemoteCacheClaimTimeout</c>: seconds, as written ("" for the default).</summary>
    [JsonPropertyName(RequestFields.ClaimTimeout)]
    public string ClaimTimeout { get; init; } = "";
}

/// <summary>Source-generated JSON reading, so the worker needs no reflection-based serializer.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(BuildRequest))]
internal sealed partial class BuildRequestJson : JsonSerializerContext;
