using Microsoft.Build.Utilities;
using Quantize.Build.Tasks;
using Quantize.Cli.Build;
using Quantize.Cli.Settings;
using Quantize.Core;
using Quantize.Core.Settings;
using Quantize.Testing;
using Xunit;

namespace Quantize.Build.Tests.Tasks;

/// <summary>
/// The build request from both ends: what the <see cref="QuantizeModels"/> task writes, the worker's
/// <see cref="BuildRequest.Load"/> reads back field for field, and its settings parse with the one settings parser
/// into the options the metadata asked for.
/// </summary>
public sealed class RequestRoundTripTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("request-round-trip");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void What_the_task_writes_the_worker_reads()
    {
        var model = new TaskItem("models/odd \"name\".onnx");
        var paths = new Dictionary<string, string>
        {
            ["FullSource"] = "/abs/models/odd \"name\"\\ü.onnx",
            ["ClassName"] = "Odd",
            ["Namespace"] = "App.Models",
            ["LogicalName"] = "App.Models.Odd.onnx",
            ["ModelFileName"] = "Odd.onnx",
            ["OutputModel"] = "/abs/obj/quantize/Odd.onnx",
            ["Manifest"] = "/abs/obj/quantize/App.Models.Odd.quantize.json",
            ["DoneMarker"] = "/abs/obj/quantize/Odd.done",
            ["CacheDirectory"] = "/abs/obj/quantize-cache/",
            ["ProjectDirectory"] = "/abs/",
            ["DependencyFile"] = "/abs/obj/quantize/Odd.deps",
            ["ReportHtml"] = "/abs/obj/quantize/Odd.quantize-report.html",
            ["ReportMarkdown"] = "/abs/obj/quantize/Odd.quantize-report.md",
        };
        foreach (var (name, value) in paths)
        {
            model.SetMetadata(name, value);
        }

        model.SetMetadata("Embed", "false");
        model.SetMetadata("Precision", "int4");
        model.SetMetadata("BlockSize", "64");
        model.SetMetadata("Symmetric", "False");
        model.SetMetadata("Exclude", "fc1; /encoder/layer.0/attention,Softmax");
        var task = new QuantizeModels
        {
            BuildEngine = new RecordingBuildEngine("/abs/App.csproj"),
            Models = [model],
            EngineMetadataNames = [.. QuantizeSettings.All.Select(s => s.Name)],
            OnnxRuntimeVersion = "1.31.1",
            DesignTime = true,
            RemoteCache = "https://cache.example/q",
            RemoteCacheMode = "ReadOnly",
            RemoteCacheTokenVariable = "MY_TOKEN",
            RemoteCacheAuthScheme = "Basic",
            RemoteCacheClaimTimeout = "60",
        };
        var file = Path.Combine(_folder, "quantize.request.json");
        File.WriteAllText(file, task.RequestJson());

        var request = BuildRequest.Load(file);

        Assert.True(request.DesignTime);
        Assert.Equal(("1.31.1", "/abs/App.csproj"), (request.OnnxRuntimeVersion, request.ProjectFile));
        var remote = request.RemoteCache!;
        Assert.Equal(("https://cache.example/q", "ReadOnly", "MY_TOKEN", "Basic", "60"), (remote.Url, remote.Mode, remote.TokenVariable, remote.AuthScheme, remote.ClaimTimeout));
        var read = Assert.Single(request.Models);
        Assert.Equal("models/odd \"name\".onnx", read.ItemSpec);
        Assert.False(read.Embed);
        var fields = new Dictionary<string, string>
        {
            ["FullSource"] = read.Source, ["ClassName"] = read.ClassName, ["Namespace"] = read.Namespace,
            ["LogicalName"] = read.ResourceName, ["ModelFileName"] = read.ModelFileName, ["OutputModel"] = read.OutputModel,
            ["Manifest"] = read.Manifest, ["DoneMarker"] = read.DoneMarker, ["CacheDirectory"] = read.CacheDirectory,
            ["ProjectDirectory"] = read.ProjectDirectory, ["DependencyFile"] = read.DependencyFile,
            ["ReportHtml"] = read.ReportHtml, ["ReportMarkdown"] = read.ReportMarkdown,
        };
        Assert.Equal(paths, fields);
        Assert.Equal(QuantizeSettings.All.Count, read.Settings.Count);

        var options = SettingsReader.Options(SettingValues.FromMetadata(read.Settings, read.Source));
        Assert.Equal(Precision.Int4, options.Precision);
        Assert.Equal((64, false), (options.BlockSize, options.Symmetric));
        Assert.Equal(["fc1", "/encoder/layer.0/attention", "Softmax"], options.Exclude);
    }
}
