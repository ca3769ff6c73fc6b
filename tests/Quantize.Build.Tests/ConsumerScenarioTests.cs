using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>Multi-targeting, bad items, design-time builds, the ONNX Runtime version check.</summary>
[Collection(PackedBuildTests.Name)]
public sealed class ConsumerScenarioTests(PackageFixture fixture)
{
    private const string MlpProgram = """
        using var model = new MultiTarget.Mlp();
        using var result = model.Run(new float[64], batch: 1);
        Console.WriteLine("outputs " + result.Y.Length);
        """;

    [Fact]
    public void A_consumer_targeting_net8_and_net10_builds_and_runs_on_net10()
    {
        var project = new ConsumerProject(fixture, "MultiTarget", "net8.0;net10.0");
        project.AddModel("mlp.onnx", TestModelCatalog.Mlp());
        project.Items = """<QuantizedModel Include="models/mlp.onnx" Precision="Int4" BlockSize="32" />""";
        project.WriteProject();
        project.WriteProgram(MlpProgram);

        var build = project.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(File.Exists(project.Obj("quantize/MultiTarget.Mlp.onnx", "net8.0")));
        Assert.True(File.Exists(project.Obj("quantize/MultiTarget.Mlp.onnx", "net10.0")));
        // Both inner builds share the project's default cache: the model is quantized once.
        Assert.Single(build.ModelLines, l => l.Contains("; quantized", StringComparison.Ordinal));

        var run = project.Run("net10.0");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("outputs 10", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_items_report_their_QNT_code_on_the_item_file()
    {
        var project = new ConsumerProject(fixture, "BadItems");
        project.AddModel("good.onnx", TestModelCatalog.Mlp());
        project.AddModel("keyword.onnx", TestModelCatalog.Mlp());
        File.WriteAllText(Path.Combine(project.Directory, "models", "corrupt.onnx"), "this is not an ONNX model");
        project.Items = """
            <QuantizedModel Include="models/good.onnx" Precision="Int9" />
            <QuantizedModel Include="models/missing.onnx" Precision="Int8" />
            <QuantizedModel Include="models/keyword.onnx" Precision="Int8" ClassName="event" />
            """;
        project.WriteProject();
        project.WriteProgram("Console.WriteLine();");

        var build = project.Build();
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains(Path.Combine(project.Directory, "models", "good.onnx") + " : error QNT0003", build.Output, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(project.Directory, "models", "missing.onnx") + " : error QNT0001", build.Output, StringComparison.Ordinal);
        // A C# keyword as ClassName is refused on the item before anything is quantized.
        Assert.Contains(Path.Combine(project.Directory, "models", "keyword.onnx") + " : error QNT0013: ClassName 'event'", build.Output, StringComparison.Ordinal);
        Assert.Equal(0, build.WorkerRuns);

        // A file that exists but is no model: the worker reports it on the file, as a real MSBuild error.
        project.Items = """<QuantizedModel Include="models/corrupt.onnx" Precision="Int8" />""";
        project.WriteProject();
        var corrupt = project.Build();
        Assert.NotEqual(0, corrupt.ExitCode);
        Assert.Matches(@"models/corrupt\.onnx\(1,1\): error QNT0002", corrupt.Output.Replace('\\', '/'));
        Assert.DoesNotContain("MSB6006", corrupt.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Design_time_builds_write_manifests_only_and_an_old_onnx_runtime_is_refused()
    {
        var project = new ConsumerProject(fixture, "DesignTime");
        project.AddModel("mlp.onnx", TestModelCatalog.Mlp());
        project.Items = """<QuantizedModel Include="models/mlp.onnx" Precision="Fp16" KeepIoTypes="false" />""";
        project.WriteProject();
        project.WriteProgram("Console.WriteLine();");

        var designTime = DotnetProcess.Run(project.Directory, "msbuild", "-restore", "-t:QuantizeModels", "-p:DesignTimeBuild=true", "-v:n", "-nodeReuse:false");
        Assert.True(designTime.ExitCode == 0, designTime.Output);
        var manifest = File.ReadAllText(project.Obj("quantize/DesignTime.Mlp.quantize.json"));
        Assert.Contains("\"elementType\": \"float16\"", manifest, StringComparison.Ordinal);
        Assert.False(File.Exists(project.Obj("quantize/DesignTime.Mlp.onnx")));

        // INT4 emits MatMulNBits (ONNX Runtime 1.17+): an app pinned to an older runtime gets QNT0012 at build time.
        project.Items = """<QuantizedModel Include="models/mlp.onnx" Precision="Int4" />""";
        project.WriteProject();
        var old = project.Build("-p:QuantizeOnnxRuntimeVersion=1.16.3");
        Assert.NotEqual(0, old.ExitCode);
        Assert.Matches(@"models/mlp\.onnx\(1,1\): error QNT0012: .*1\.17\.0.*1\.16\.3", old.Output.Replace('\\', '/'));
    }
}
