using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Quantize.Shared;

namespace Quantize.Build.Tasks;

/// <summary>
/// Runs the out-of-process worker (<c>dotnet Quantize.Cli.dll build @rsp</c>) once for all stale models of a
/// project build. The worker holds ONNX Runtime; MSBuild's long-lived nodes never load it. ToolTask provides
/// cancellation (Ctrl+C kills the child), <see cref="ToolTask.Timeout"/>, and turns the worker's canonical
/// <c>path(1,1): error QNTxxxx: message</c> lines into MSBuild errors on the model's file.
/// </summary>
public sealed class QuantizeModels : ToolTask
{
    /// <summary>The resolved stale items from <see cref="ResolveQuantizedModels"/>.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary>Path of the worker (Quantize.Cli.dll) inside the package.</summary>
    [Required]
    public string WorkerPath { get; set; } = "";

    /// <summary>Where to write the JSON request (under obj/, kept for diagnosis).</summary>
    [Required]
    public string RequestFile { get; set; } = "";

    /// <summary>Names of the item metadata passed to the worker as engine settings.</summary>
    [Required]
    public string[] EngineMetadataNames { get; set; } = [];

    /// <summary>The Microsoft.ML.OnnxRuntime version the project resolves ("" when unknown).</summary>
    public string OnnxRuntimeVersion { get; set; } = "";

    /// <summary>
    /// The project's NuGet package folders (<c>$(NuGetPackageFolders)</c>). The package's worker carries no native
    /// libraries: it loads ONNX Runtime's and SkiaSharp's from the packages restore put there (Quantize.Build
    /// depends on them), so one copy serves the app and the worker. Passed in <see cref="PackageFoldersVariable"/>.
    /// </summary>
    public string[] PackageFolders { get; set; } = [];

    /// <summary><c>$(QuantizeRemoteCache)</c>: the shared HTTP cache's base URL, or empty for none (docs/remote-cache.md).</summary>
    public string RemoteCache { get; set; } = "";

    /// <summary><c>$(QuantizeRemoteCacheMode)</c>: ReadWrite (the default), ReadOnly or Off.</summary>
    public string RemoteCacheMode { get; set; } = "";

    /// <summary>
    /// <c>$(QuantizeRemoteCacheTokenVariable)</c>: the environment variable the worker reads the credential from. Only
    /// its name travels through the request; the worker inherits the build's environment.
    /// </summary>
    public string RemoteCacheTokenVariable { get; set; } = "";

    /// <summary><c>$(QuantizeRemoteCacheAuthScheme)</c>: Bearer (the default) or Basic.</summary>
    public string RemoteCacheAuthScheme { get; set; } = "";

    /// <summary><c>$(QuantizeRemoteCacheClaimTimeout)</c>: seconds to wait for another machine quantizing the same model.</summary>
    public string RemoteCacheClaimTimeout { get; set; } = "";

    /// <summary>Write manifests only (IDE design-time builds).</summary>
    public bool DesignTime { get; set; }

    /// <inheritdoc />
    protected override string ToolName => IsWindows ? "dotnet.exe" : "dotnet";

    // The worker's progress lines are worth seeing at normal verbosity (-v:n), not in minimal logs; its one summary line
    // per model (LogEventsFromTextOutput) is shown at every verbosity.
    /// <inheritdoc />
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Normal;

    /// <inheritdoc />
    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Normal;

    // System.CommandLine reads response files as UTF-8; a byte order mark would become part of the first token.
    /// <inheritdoc />
    protected override Encoding ResponseFileEncoding => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private static bool IsWindows => Path.DirectorySeparatorChar == '\\';

    /// <inheritdoc />
    public override bool Execute()
    {
        if (Models.Length == 0)
        {
            return true;
        }

        var folders = string.Join(Path.PathSeparator.ToString(), PackageFolders.Select(f => f.Trim()).Where(f => f.Length > 0));
        EnvironmentVariables = [.. EnvironmentVariables ?? [], $"{PackageFoldersVariable}={folders}"];
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(RequestFile))!);
        File.WriteAllText(RequestFile, RequestJson(), new UTF8Encoding(false));
        Log.LogMessage(MessageImportance.High, DesignTime
            ? $"Quantize.Build: writing design-time manifests for {Models.Length} model(s)"
            : $"Quantize.Build: quantizing {Models.Length} model(s)");
        return base.Execute();
    }

    /// <summary>
    /// Finds <c>dotnet</c> the way the SDK's own tasks do: the host that runs this build (DOTNET_HOST_PATH, set by
    /// the dotnet CLI for its MSBuild), then PATH. The worker then runs on the same .NET as the build.
    /// </summary>
    protected override string GenerateFullPathToTool()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host!;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (folder.Length == 0)
            {
                continue;
            }

            var candidate = Path.Combine(folder.Trim('"'), ToolName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return ToolName;
    }

    /// <inheritdoc />
    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder();
        builder.AppendFileNameIfNotNull(WorkerPath);
        return builder.ToString();
    }

    /// <inheritdoc />
    protected override string GenerateResponseFileCommands()
    {
        // One token per line; the path quoted because System.CommandLine splits each line like a command line.
        var rsp = new StringBuilder();
        rsp.Append("build\n--request\n\"").Append(Path.GetFullPath(RequestFile)).Append("\"\n");
        if (DesignTime)
        {
            rsp.Append("--design-time\n");
        }

        // The worker stops when this MSBuild process is gone (the build was killed), instead of running to completion.
        rsp.Append("--parent-pid\n").Append(System.Diagnostics.Process.GetCurrentProcess().Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        return rsp.ToString();
    }

    /// <summary>
    /// Every build says what it did for each model it processed (size, quality, cache hit or quantized, time) even at
    /// the default verbosity; canonical error and warning lines are still turned into diagnostics by the base class.
    /// </summary>
    /// <inheritdoc />
    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance) =>
        base.LogEventsFromTextOutput(singleLine, singleLine.StartsWith(SummaryPrefix, StringComparison.Ordinal) ? MessageImportance.High : messageImportance);

    /// <summary>The worker's environment variable for <see cref="PackageFolders"/> (Quantize.Cli's NativeLibraries reads it).</summary>
    private const string PackageFoldersVariable = "QUANTIZE_PACKAGE_FOLDERS";

    /// <summary>How the worker starts its per-model summary line.</summary>
    private const string SummaryPrefix = "Quantize.Build: ";

    /// <inheritdoc />
    protected override bool HandleTaskExecutionErrors() =>
        // The worker already reported each failure as a QNT error on the model; "exited with code 1" adds nothing.
        Log.HasLoggedErrors ? false : base.HandleTaskExecutionErrors();

    /// <summary>The request the worker reads (docs/build-request.md); internal for the task tests.</summary>
    internal string RequestJson()
    {
        var json = new StringBuilder();
        json.Append("{\n  ").AppendString(RequestFields.Version).Append(": ").Append(RequestFields.CurrentVersion).Append(", ")
            .AppendString(RequestFields.DesignTime).Append(": ").Append(DesignTime ? "true" : "false").Append(", ");
        json.AppendMember(RequestFields.OnnxRuntimeVersion, OnnxRuntimeVersion ?? "").AppendMember(RequestFields.ProjectFile, BuildEngine?.ProjectFileOfTaskNode ?? "", last: true);
        json.Append(",\n  ").AppendString(RequestFields.RemoteCache).Append(": { ")
            .AppendMember(RequestFields.Url, RemoteCache ?? "")
            .AppendMember(RequestFields.Mode, RemoteCacheMode ?? "")
            .AppendMember(RequestFields.TokenVariable, RemoteCacheTokenVariable ?? "")
            .AppendMember(RequestFields.AuthScheme, RemoteCacheAuthScheme ?? "")
            .AppendMember(RequestFields.ClaimTimeout, RemoteCacheClaimTimeout ?? "", last: true)
            .Append(" },\n  ").AppendString(RequestFields.Models).Append(": [\n");
        for (int i = 0; i < Models.Length; i++)
        {
            var model = Models[i];
            json.Append("    { ");
            json.AppendMember(RequestFields.ItemSpec, model.ItemSpec);
            foreach (var (name, field) in Fields)
            {
                json.AppendMember(field, model.GetMetadata(name));
            }

            json.AppendString(RequestFields.Embed).Append(": ").Append(model.GetMetadata(ItemNames.Embed) == "true" ? "true" : "false")
                .Append(", ").AppendString(RequestFields.Settings).Append(": { ");
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var first = true;
            foreach (var name in EngineMetadataNames)
            {
                if (!seen.Add(name))
                {
                    continue;
                }

                json.Append(first ? "" : ", ").AppendMember(name, model.GetMetadata(name), last: true);
                first = false;
            }

            json.Append(" } }").Append(i + 1 < Models.Length ? ",\n" : "\n");
        }

        return json.Append("  ]\n}\n").ToString();
    }

    private static readonly (string Metadata, string Field)[] Fields =
    [
        (ItemNames.FullSource, RequestFields.Source),
        (ItemNames.ClassName, RequestFields.ClassName),
        (ItemNames.Namespace, RequestFields.Namespace),
        (ItemNames.LogicalName, RequestFields.ResourceName),
        (ItemNames.ModelFileName, RequestFields.ModelFileName),
        (ItemNames.OutputModel, RequestFields.OutputModel),
        (ItemNames.Manifest, RequestFields.Manifest),
        (ItemNames.DoneMarker, RequestFields.DoneMarker),
        (ItemNames.CacheDirectory, RequestFields.CacheDirectory),
        (ItemNames.ProjectDirectory, RequestFields.ProjectDirectory),
        (ItemNames.DependencyFile, RequestFields.DependencyFile),
        (ItemNames.ReportHtml, RequestFields.ReportHtml),
        (ItemNames.ReportMarkdown, RequestFields.ReportMarkdown),
    ];
}
