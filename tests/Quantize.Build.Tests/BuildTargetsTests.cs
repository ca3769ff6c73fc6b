using System.Text.Json;
using Google.Protobuf;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// The fast tier of the MSBuild layer: the repository's own targets and tasks with a fake worker that records each
/// request (tests/Quantize.Build.FakeWorker), so what the targets decide is tested without packing or quantizing:
/// which models are stale, one worker run for all of them, the metadata that reaches the request, design-time builds,
/// the outputs handed to the compiler, and errors on the item. The packed-package builds remain the smoke tier.
/// </summary>
public sealed class BuildTargetsTests : IDisposable
{
    private const string Quantize = "-t:QuantizeModels";
    private readonly BuildFilesProject _project = new();

    public BuildTargetsTests()
    {
        _project.WriteFile("models/a.onnx", TestModelCatalog.Mlp().ToByteArray());
        _project.WriteFile("models/b.onnx", TestModelCatalog.Mlp().ToByteArray());
    }

    private string WorkerLog => Path.Combine(_project.Folder, "obj", "Debug", "net10.0", "quantize", "fake-worker.log");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void One_worker_run_gets_every_stale_model_with_its_metadata_and_a_no_op_build_starts_none()
    {
        WriteTwoModels(blockSize: 32);

        var resources = _project.Items("EmbeddedResource", "-restore", Quantize);

        var run = Assert.Single(Runs());
        Assert.False(run.Request.GetProperty("designTime").GetBoolean());
        Assert.Contains("--parent-pid", run.Arguments);
        Assert.DoesNotContain("--design-time", run.Arguments);
        var (a, b) = (Model(run, "models/a.onnx"), Model(run, "models/b.onnx"));
        Assert.Equal(2, run.Request.GetProperty("models").GetArrayLength());
        Assert.Equal(("A", "App", true), (a.GetProperty("className").GetString(), a.GetProperty("namespace").GetString(), a.GetProperty("embed").GetBoolean()));
        Assert.Equal(("Bee", false), (b.GetProperty("className").GetString(), b.GetProperty("embed").GetBoolean()));
        Assert.Equal(("Int8", "MatMul;Gemm"), (Setting(a, "Precision"), Setting(a, "Exclude")));
        Assert.Equal(("Int4", "32", "true"), (Setting(b, "Precision"), Setting(b, "BlockSize"), Setting(b, "Symmetric")));
        Assert.Equal(Path.Combine(_project.Folder, "models", "a.onnx"), a.GetProperty("source").GetString());

        // The embedded model goes to the compiler under its stable resource name; the other is copied beside the app.
        var embedded = Assert.Single(resources, r => r["Identity"].EndsWith("A.onnx", StringComparison.Ordinal));
        Assert.Equal("App.A.onnx", embedded["LogicalName"]);
        Assert.Equal(a.GetProperty("outputModel").GetString(), embedded["FullPath"]);
        var copied = Assert.Single(_project.Items("None", Quantize), n => n["Identity"].EndsWith("Bee.onnx", StringComparison.Ordinal));
        Assert.Equal(("Bee.onnx", "PreserveNewest"), (copied["Link"], copied["CopyToOutputDirectory"]));

        // Both runs since the first (the None query above was one) found nothing stale: still one worker run.
        _project.MsBuild(null, Quantize);
        Assert.Single(Runs());
    }

    [Fact]
    public void An_edited_model_or_a_changed_setting_reruns_only_that_model()
    {
        WriteTwoModels(blockSize: 32);
        Build();

        File.SetLastWriteTimeUtc(Path.Combine(_project.Folder, "models", "a.onnx"), DateTime.UtcNow);
        Build();
        WriteTwoModels(blockSize: 64);
        Build();
        Build();

        var runs = Runs();
        Assert.Equal(3, runs.Count);
        Assert.Equal(["models/a.onnx"], ItemSpecs(runs[1]));
        Assert.Equal(["models/b.onnx"], ItemSpecs(runs[2]));
        Assert.Equal("64", Setting(Model(runs[2], "models/b.onnx"), "BlockSize"));
    }

    [Fact]
    public void Design_time_builds_ask_for_manifests_only_and_keep_a_real_builds()
    {
        WriteTwoModels(blockSize: 32);

        var designTimeResources = _project.Items("EmbeddedResource", "-restore", Quantize, "-p:DesignTimeBuild=true");
        Assert.DoesNotContain(designTimeResources, r => r["Identity"].EndsWith("A.onnx", StringComparison.Ordinal));
        var first = Assert.Single(Runs());
        Assert.True(first.Request.GetProperty("designTime").GetBoolean());
        Assert.Contains("--design-time", first.Arguments);
        var a = Model(first, "models/a.onnx");
        Assert.True(File.Exists(a.GetProperty("manifest").GetString()));
        Assert.False(File.Exists(a.GetProperty("outputModel").GetString()));

        Build();
        Build("-p:DesignTimeBuild=true");

        var runs = Runs();
        Assert.Equal(2, runs.Count);
        Assert.False(runs[1].Request.GetProperty("designTime").GetBoolean());
        Assert.Equal(["models/a.onnx", "models/b.onnx"], ItemSpecs(runs[1]));
    }

    [Fact]
    public void A_worker_error_fails_the_build_on_the_model_file_and_the_model_stays_stale()
    {
        WriteTwoModels(blockSize: 32);

        var failed = _project.MsBuild(new Dictionary<string, string> { ["QUANTIZE_FAKE_WORKER_FAIL"] = "models/a.onnx" }, "-restore", Quantize);

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains($"{Path.Combine(_project.Folder, "models", "a.onnx")}(1,1): error QNT0011: fake worker refused models/a.onnx", failed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("exited with code", failed.Output, StringComparison.Ordinal);
        Build();
        Assert.Equal(["models/a.onnx"], ItemSpecs(Runs()[1]));
    }

    [Fact]
    public void A_keyword_class_name_is_an_error_on_the_item_before_any_worker_runs()
    {
        _project.WriteProject("""<QuantizedModel Include="models/a.onnx" Precision="Int8" ClassName="event" />""", BuildFilesProject.WithFakeWorker);

        var build = _project.MsBuild(null, "-restore", Quantize);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("a.onnx", build.Output, StringComparison.Ordinal);
        Assert.Contains("error QNT0013", build.Output, StringComparison.Ordinal);
        Assert.Contains("C# keyword", build.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(WorkerLog));
    }

    private void WriteTwoModels(int blockSize) => _project.WriteProject($"""
        <QuantizedModel Include="models/a.onnx" Precision="Int8" ClassName="A"><Exclude>MatMul;Gemm</Exclude></QuantizedModel>
        <QuantizedModel Include="models/b.onnx" Precision="Int4" ClassName="Bee" BlockSize="{blockSize}" Embed="false" />
        """, BuildFilesProject.WithFakeWorker);

    private void Build(params string[] extra)
    {
        var run = _project.MsBuild(null, ["-restore", Quantize, .. extra]);
        Assert.True(run.ExitCode == 0, run.Output);
    }

    private List<(List<string> Arguments, JsonElement Request)> Runs() => !File.Exists(WorkerLog) ? [] :
        [.. File.ReadAllLines(WorkerLog).Select(line =>
        {
            var run = JsonDocument.Parse(line).RootElement;
            return (run.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!).ToList(), run.GetProperty("request").Clone());
        })];

    private static JsonElement Model((List<string> Arguments, JsonElement Request) run, string itemSpec) =>
        run.Request.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("itemSpec").GetString() == itemSpec);

    private static List<string> ItemSpecs((List<string> Arguments, JsonElement Request) run) =>
        [.. run.Request.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("itemSpec").GetString()!).Order(StringComparer.Ordinal)];

    private static string? Setting(JsonElement model, string name) => model.GetProperty("settings").GetProperty(name).GetString();
}
