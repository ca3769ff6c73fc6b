using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// Static INT8 from the csproj: a CNN calibrated on a folder of .npy samples. The samples are inputs of the
/// incremental build, saved ranges are reused when only quantizer settings change, and bad data is an error on the item.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class CalibratedBuildTests(PackageFixture fixture)
{
    [Fact]
    public void Calibration_data_drives_static_int8_and_is_an_input_of_the_incremental_build()
    {
        var project = new ConsumerProject(fixture, "Calibrated");
        var modelPath = project.AddModel("cnn.onnx", TestModelCatalog.SmallCnn());
        var calib = Directory.CreateDirectory(Path.Combine(project.Directory, "calib")).FullName;
        for (int seed = 0; seed < 8; seed++)
        {
            CnnSamples.Write(Path.Combine(calib, $"sample-{seed}.npy"), seed);
        }

        project.Items = """<QuantizedModel Include="models/cnn.onnx" Precision="Int8" CalibrationData="calib" />""";
        project.WriteProject();
        project.WriteProgram("""Console.WriteLine("ok");""");

        // First build: calibrated on six of the eight samples (every fifth is held out to check accuracy), and
        // the model the app gets is the QDQ one.
        var first = project.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Equal(1, first.WorkerRuns);
        Assert.Contains("calibrated on 6 samples", Assert.Single(first.ModelLines), StringComparison.Ordinal);
        var output = project.Obj("quantize/Calibrated.Cnn.onnx");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(output));
        Assert.Contains(model.Graph.Node, n => n.OpType == "QuantizeLinear");
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "DynamicQuantizeLinear");
        var deps = File.ReadAllLines(project.Obj("quantize/Calibrated.Cnn.deps"));
        Assert.Equal(8, deps.Count(l => l.EndsWith(".npy", StringComparison.Ordinal)));

        // The float model still agrees with the quantized one roughly: the ranges are real.
        var x = CnnSamples.Sample(100);
        var expected = OrtRunner.Run(modelPath, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(x, CnnSamples.Shape) }).Values.Single();
        var actual = OrtRunner.Run(output, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(x, CnnSamples.Shape) }).Values.Single();
        Assert.True(Similarity.Cosine(expected, actual) > 0.98, $"cosine {Similarity.Cosine(expected, actual)}");

        // Nothing changed: no worker.
        var noop = project.Build();
        Assert.True(noop.ExitCode == 0, noop.Output);
        Assert.Equal(0, noop.WorkerRuns);

        // One sample edited: the model reruns and calibrates again (new data, new fingerprint).
        CnnSamples.Write(Path.Combine(calib, "sample-3.npy"), 33);
        var edited = project.Build();
        Assert.True(edited.ExitCode == 0, edited.Output);
        Assert.Equal(1, edited.WorkerRuns);
        Assert.Contains("calibrated on 6 samples", Assert.Single(edited.ModelLines), StringComparison.Ordinal);

        // Another quantizer setting, same data and method: quantized again, but from the saved ranges.
        project.Items = """<QuantizedModel Include="models/cnn.onnx" Precision="Int8" CalibrationData="calib" ActivationType="S8" />""";
        project.WriteProject();
        var resettled = project.Build();
        Assert.True(resettled.ExitCode == 0, resettled.Output);
        var line = Assert.Single(resettled.ModelLines);
        Assert.Contains("; quantized", line, StringComparison.Ordinal);
        Assert.Contains("saved ranges reused", line, StringComparison.Ordinal);

        // A folder without samples: QNT0014 on the item's model file.
        Directory.CreateDirectory(Path.Combine(project.Directory, "empty"));
        project.Items = """<QuantizedModel Include="models/cnn.onnx" Precision="Int8" CalibrationData="empty" />""";
        project.WriteProject();
        var failed = project.Build();
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains(failed.Output.Split('\n'), l => l.Contains("error QNT0014", StringComparison.Ordinal) && l.Contains("cnn.onnx", StringComparison.Ordinal));
    }
}
