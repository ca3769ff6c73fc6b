using System.Globalization;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// One consumer with two models goes through the life of a project: first build, run, no-op build, one model
/// touched, one setting changed, clean. Each step checks how many worker processes ran and for which models.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class IncrementalBuildTests(PackageFixture fixture)
{
    private const string Program = MlpConsumerProgram.Statements + "\n" + """
        var a = new float[1 * 5 * 32];
        for (int i = 0; i < a.Length; i++) { a[i] = MathF.Cos(i * 0.11f); }
        using var attention = new Consumer.Models.Attention();
        using var r2 = attention.Run(a, batch: 1, seq: 5);
        Console.WriteLine("attention " + Consumer.Models.Attention.Model.Precision + " " + r2.YShape.Length);
        """;

    [Fact]
    public void Build_is_incremental_per_model_and_the_wrapper_matches_onnx_runtime()
    {
        var project = new ConsumerProject(fixture, "Consumer");
        project.Properties = "<RootNamespace>Consumer.Models</RootNamespace>";
        var mlpPath = project.AddModel("mlp.onnx", TestModelCatalog.Mlp());
        project.AddModel("attention.onnx", TestModelCatalog.AttentionBlock());
        project.Items = """
            <QuantizedModel Include="models/mlp.onnx" Precision="int8" />
            <QuantizedModel Include="models/attention.onnx" Precision="Fp16" />
            """;
        project.WriteProject();
        project.WriteProgram(Program);

        // First build: one worker for both models.
        var first = project.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Equal(1, first.WorkerRuns);
        Assert.Equal(2, first.ModelLines.Count);
        Assert.Contains("\"onnxRuntimeVersion\": \"1.", File.ReadAllText(project.Obj("quantize/quantize.request.json")), StringComparison.Ordinal);

        // The wrapper computes exactly what ONNX Runtime computes on the quantized model the build produced.
        var run = project.Run();
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("shape 2x10", run.Output, StringComparison.Ordinal);
        Assert.Contains("attention Fp16", run.Output, StringComparison.Ordinal);
        var wrapperY = MlpConsumerProgram.ParseY(run.Output);
        var x = MlpConsumerProgram.Input;
        Assert.Equal(MlpConsumerProgram.Expected(project.Obj("quantize/Consumer.Models.Mlp.onnx")), wrapperY);
        // ...and the model really is the INT8 one (ORT on the float model differs, but only slightly).
        var floatY = OrtRunner.Run(mlpPath, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(x, 2, 64) })["y"];
        Assert.NotEqual(floatY, wrapperY);
        Assert.True(Similarity.MaxAbsDiff(floatY, wrapperY) < 0.25f);

        // Nothing changed: no worker process at all.
        var noop = project.Build();
        Assert.True(noop.ExitCode == 0, noop.Output);
        Assert.Equal(0, noop.WorkerRuns);

        // One model touched: only it goes to the worker (and comes from the cache: same bytes, same settings).
        File.SetLastWriteTimeUtc(mlpPath, DateTime.UtcNow);
        var touched = project.Build();
        Assert.True(touched.ExitCode == 0, touched.Output);
        Assert.Equal(1, touched.WorkerRuns);
        Assert.Contains(touched.ModelLines, l => l.Contains("Mlp (models/mlp.onnx)", StringComparison.Ordinal) && l.Contains("reused cache entry", StringComparison.Ordinal));
        Assert.DoesNotContain(touched.ModelLines, l => l.Contains("Attention", StringComparison.Ordinal));

        // One setting changed: only that model is quantized again.
        project.Items = """
            <QuantizedModel Include="models/mlp.onnx" Precision="int8" />
            <QuantizedModel Include="models/attention.onnx" Precision="Fp16" MinElements="64" />
            """;
        project.WriteProject();
        var changed = project.Build();
        Assert.True(changed.ExitCode == 0, changed.Output);
        Assert.Equal(1, changed.WorkerRuns);
        Assert.Single(changed.ModelLines);
        Assert.Contains("Quantize.Build: Attention (models/attention.onnx): Fp16, 0.5", changed.ModelLines[0], StringComparison.Ordinal);
        Assert.Contains("; quantized (cache entry", changed.ModelLines[0], StringComparison.Ordinal);

        // dotnet clean removes what the build produced.
        Assert.True(File.Exists(project.Obj("quantize/Consumer.Models.Mlp.onnx")));
        var clean = DotnetProcess.Run(project.Directory, "clean", "--disable-build-servers", "-nodeReuse:false");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.False(File.Exists(project.Obj("quantize/Consumer.Models.Mlp.onnx")));
        Assert.False(File.Exists(project.Obj("quantize/Consumer.Models.Mlp.quantize-report.html")));
        Assert.False(File.Exists(project.Obj("quantize/Consumer.Models.Mlp.quantize.json")));
        Assert.False(File.Exists(project.Obj("quantize/Consumer.Models.Attention.onnx")));
    }
}
