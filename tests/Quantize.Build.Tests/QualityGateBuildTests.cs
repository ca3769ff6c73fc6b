using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// The quality check from the csproj: a gate the model cannot meet fails the build with QNT0018 on the item and
/// leaves no quantized model behind but a report that says why; a gate it meets passes, prints the summary line,
/// and a rebuild with nothing changed does no work.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class QualityGateBuildTests(PackageFixture fixture)
{
    [Fact]
    public void Gates_fail_the_build_on_the_item_and_pass_with_a_summary_line_and_a_report()
    {
        var project = new ConsumerProject(fixture, "Gated");
        project.AddModel("cnn.onnx", TestModelCatalog.SmallCnn());
        var calib = Directory.CreateDirectory(Path.Combine(project.Directory, "calib")).FullName;
        var validation = Directory.CreateDirectory(Path.Combine(project.Directory, "validation")).FullName;
        for (int seed = 0; seed < 8; seed++)
        {
            CnnSamples.Write(Path.Combine(calib, $"sample-{seed}.npy"), seed);
            CnnSamples.Write(Path.Combine(validation, $"sample-{seed}.npy"), 100 + seed);
        }

        project.WriteProgram("""Console.WriteLine("ok");""");
        var report = project.Obj("quantize/Gated.Cnn.quantize-report.html");
        var output = project.Obj("quantize/Gated.Cnn.onnx");

        // INT8 cannot keep a cosine of 0.9999999: the build fails on the model, names the gate and measured value.
        project.Items = """<QuantizedModel Include="models/cnn.onnx" Precision="Int8" CalibrationData="calib" ValidationData="validation" MinCosine="0.9999999" />""";
        project.WriteProject();
        var failed = project.Build();
        Assert.NotEqual(0, failed.ExitCode);
        // MSBuild repeats errors in its summary: look at the first.
        var error = failed.Output.Split('\n').First(l => l.Contains("error QNT0018", StringComparison.Ordinal));
        Assert.Contains("cnn.onnx", error, StringComparison.Ordinal);
        Assert.Contains("MinCosine", error, StringComparison.Ordinal);
        Assert.Contains("0.9999999", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output), "a model that failed its gate must not reach obj/");
        Assert.True(File.Exists(report), "the report explains the failure");
        Assert.Contains("MinCosine", File.ReadAllText(report), StringComparison.Ordinal);

        // A gate it meets: the build passes with one summary line that carries the key metric and the speed verdict.
        project.Items = """<QuantizedModel Include="models/cnn.onnx" Precision="Int8" CalibrationData="calib" ValidationData="validation" MinCosine="0.95" />""";
        project.WriteProject();
        var passed = project.Build();
        Assert.True(passed.ExitCode == 0, passed.Output);
        var line = Assert.Single(passed.ModelLines);
        Assert.Contains("Int8 static", line, StringComparison.Ordinal);
        Assert.Contains("cosine 0.9", line, StringComparison.Ordinal);
        Assert.Matches(@"\d\.\d+x (faster|speed)", line);
        // The failed build calibrated on the same data with the same method: its saved ranges serve this one.
        Assert.Contains("saved ranges reused", line, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
        Assert.Contains("validation data", File.ReadAllText(project.Obj("quantize/Gated.Cnn.quantize-report.md")), StringComparison.Ordinal);

        // Nothing changed: no worker, the report stays.
        var noop = project.Build();
        Assert.True(noop.ExitCode == 0, noop.Output);
        Assert.Equal(0, noop.WorkerRuns);
        Assert.True(File.Exists(report));

        // A validation sample edited: the check reruns (validation data is an input of the incremental build).
        CnnSamples.Write(Path.Combine(validation, "sample-2.npy"), 222);
        var edited = project.Build();
        Assert.True(edited.ExitCode == 0, edited.Output);
        Assert.Equal(1, edited.WorkerRuns);
    }
}
