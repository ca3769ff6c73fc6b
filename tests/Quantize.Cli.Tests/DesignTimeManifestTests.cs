using System.Text.Json;
using System.Text.Json.Nodes;
using Quantize.Cli.Build;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// An IDE's design-time build writes the manifest without quantizing, from what the precision's pass says it will
/// do to the model's interface; the real build's manifest must then describe the same wrapper. Both are made by the
/// worker here from the same request, for every precision, with and without KeepIoTypes, and for models already in
/// the precision (which the passes write back unchanged, keeping their float32 interface).
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class DesignTimeManifestTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("design-time");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("Fp16", "true", false)]
    [InlineData("Fp16", "false", false)]
    [InlineData("Bf16", "true", false)]
    [InlineData("Bf16", "false", false)]
    [InlineData("Int8", "false", false)]
    [InlineData("Int4", "false", false)]
    [InlineData("Fp16", "false", true)]
    [InlineData("Bf16", "false", true)]
    public void Design_time_and_real_manifests_describe_the_same_wrapper(string precision, string keepIoTypes, bool alreadyConverted)
    {
        var source = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        if (alreadyConverted)
        {
            // Converted with the float32 interface kept: converting it again is "already in this precision".
            var converted = Path.Combine(_folder, "mlp.converted.onnx");
            var first = CliProcess.Run(source, "-o", converted, "-p", precision, "--no-speed-check", "--quiet");
            Assert.True(first.ExitCode == 0, first.ToString());
            source = converted;
        }

        var settings = new Dictionary<string, string> { ["Precision"] = precision, ["KeepIoTypes"] = keepIoTypes, ["QualityCheck"] = "false" };
        var designTime = Manifest(source, settings, designTime: true);
        var real = Manifest(source, settings, designTime: false);

        // Only the facts of the quantized file differ: design-time manifests have none.
        foreach (var manifest in new[] { designTime, real })
        {
            manifest.Remove("outputSha256");
            manifest.Remove("bytesAfter");
        }

        Assert.Equal(real.ToJsonString(), designTime.ToJsonString());
        var inputType = real["inputs"]![0]!["elementType"]!.GetValue<string>();
        // FP16 still has work on a converted model when asked for a float16 interface (its float32 boundary); BF16 finds
        // no float32 weight left and writes the model back unchanged, interface included.
        string expected = (precision, keepIoTypes, alreadyConverted) switch
        {
            ("Fp16", "false", _) => "float16",
            ("Bf16", "false", false) => "bfloat16",
            _ => "float",
        };
        Assert.Equal(expected, inputType);
    }

    private JsonObject Manifest(string source, Dictionary<string, string> settings, bool designTime)
    {
        var folder = Path.Combine(_folder, designTime ? "design" : "real");
        Directory.CreateDirectory(folder);
        var model = new BuildModelRequest
        {
            ItemSpec = "mlp.onnx",
            Source = source,
            ClassName = "Mlp",
            Namespace = "App",
            ResourceName = "App.Mlp.onnx",
            ModelFileName = "Mlp.onnx",
            OutputModel = Path.Combine(folder, "Mlp.onnx"),
            Manifest = Path.Combine(folder, "App.Mlp.quantize.json"),
            DoneMarker = Path.Combine(folder, "Mlp.done"),
            CacheDirectory = Path.Combine(folder, "cache"),
            ProjectDirectory = _folder,
            DependencyFile = Path.Combine(folder, "Mlp.deps"),
            ReportHtml = Path.Combine(folder, "Mlp.quantize-report.html"),
            ReportMarkdown = Path.Combine(folder, "Mlp.quantize-report.md"),
            Settings = settings,
        };
        var requestPath = Path.Combine(folder, "quantize.request.json");
        File.WriteAllText(requestPath, JsonSerializer.Serialize(new BuildRequest { Version = 1, Models = [model] }, BuildRequestJson.Default.BuildRequest));

        var run = designTime
            ? CliProcess.Run("build", "--request", requestPath, "--design-time")
            : CliProcess.Run("build", "--request", requestPath);

        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonNode.Parse(File.ReadAllText(model.Manifest))!.AsObject();
    }
}
