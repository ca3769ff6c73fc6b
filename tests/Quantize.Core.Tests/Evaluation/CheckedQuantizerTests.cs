using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using Quantize.Core.Evaluation;
using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Evaluation.EvaluationFixtures;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>
/// <see cref="CheckedQuantizer"/> end to end on catalog models: which data is evaluated on, gates that fail
/// leave nothing behind, gates that pass write the model, and the settings refused before any work.
/// </summary>
public sealed class CheckedQuantizerTests : IDisposable
{
    private static readonly QuantizeOptions Int8 = new() { Precision = Precision.Int8 };
    private static readonly QualityCheckOptions NoSpeed = new() { SpeedCheck = false };

    private readonly string _folder = RealModels.ScratchFolder("checked-quantizer");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Passing_gates_write_the_model_and_report_validation_metrics_and_speed()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "out", "mlp.int8.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var quality = new QualityCheckOptions
        {
            ValidationData = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "validation", 8, [1, 64])] },
            Top1Outputs = ["y"],
            Gates = new QualityGates { MinCosine = 0.9, MinSqnr = 10, MaxTop1Drop = 0.5 },
            SpeedBudget = TimeSpan.Zero,
        };

        var result = CheckedRun.Quantize(input, output, Int8, quality);

        Assert.True(File.Exists(output));
        Assert.Equal(["mlp.int8.onnx"], Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
        var report = result.Quality!;
        Assert.Equal(input, report.ModelPath);
        Assert.Equal("Int8", report.Precision);
        Assert.Equal(new FileInfo(output).Length, report.BytesAfter);
        Assert.Equal("validation data (8 samples)", report.Evaluation!.DataSource);
        Assert.NotNull(Assert.Single(report.Evaluation.Outputs).Top1Agreement);
        Assert.Equal(SpeedCheck.MinimumRuns, report.Speed!.Runs);
        Assert.Empty(report.Failures);
        Assert.Equal(quality.Gates, report.Gates);
    }

    [Fact]
    public void A_failing_gate_is_QNT0018_naming_model_metric_threshold_and_value_and_writes_nothing()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.int8.onnx");
        var quality = NoSpeed with
        {
            ValidationData = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "validation", 4, [1, 64])] },
            Gates = new QualityGates { MinCosine = 0.99999999 },
        };
        QualityReport? measured = null;

        var error = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(input, output, Int8, quality, measured: r => measured = r));

        Assert.Equal(ErrorCodes.QualityGateFailed, error.Code);
        Assert.Equal(input, error.FilePath);
        Assert.Contains($"'{input}' (Int8)", error.Message, StringComparison.Ordinal);
        var cosine = measured!.Evaluation!.Outputs[0].Cosine;
        // The measured cosine is printed with enough digits to read as below the threshold.
        var printed = System.Text.RegularExpressions.Regex.Match(error.Message, @"MinCosine 0\.99999999 not met by output 'y': cosine ([0-9]+\.[0-9]+)");
        Assert.True(printed.Success, error.Message);
        var shown = double.Parse(printed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(shown < 0.99999999 && Math.Abs(shown - cosine) < 1e-3, printed.Value);
        Assert.Contains("validation data (4 samples)", error.Message, StringComparison.Ordinal);
        Assert.Equal([new GateFailure("MinCosine", 0.99999999, cosine, "y")], measured.Failures);
        Assert.Equal(["mlp.onnx", "validation"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void With_enough_evaluation_samples_their_interleaved_run_times_are_the_speed_measurement()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var quality = new QualityCheckOptions
        {
            ValidationData = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "validation", RunTimings.EnoughForSpeed + RunTimings.WarmUpSamples, [1, 64])] },
        };

        var report = CheckedRun.Quantize(input, Path.Combine(_folder, "mlp.int8.onnx"), Int8, quality).Quality!;

        Assert.Equal(RunTimings.EnoughForSpeed, report.Speed!.Runs);
        Assert.Contains(report.Notes, n => n.StartsWith($"Latency is the median over {RunTimings.EnoughForSpeed} evaluation samples", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failing_gate_leaves_an_existing_output_as_it_was()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.int8.onnx");
        File.WriteAllText(output, "previous build");
        var quality = NoSpeed with
        {
            ValidationData = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "validation", 2, [1, 64])] },
            Gates = new QualityGates { MinSqnr = 1000 },
        };

        Assert.Equal(ErrorCodes.QualityGateFailed, Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(input, output, Int8, quality)).Code);
        Assert.Equal("previous build", File.ReadAllText(output));
    }

    [Fact]
    public void Without_validation_data_static_int8_evaluates_on_held_out_samples_the_calibrator_never_saw()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.int8.onnx");
        // Samples 00 and 10 (held out: positions 0, 5, 10) hold a 100 in x; the others stay within ±1.
        var calibration = new CalibrationSetup(new CalibrationDataOptions { Sources = [WriteSamples(_folder, "calibration", 12, [1, 64], 1, 0, 10)] }, new CalibrationOptions());

        var result = CheckedRun.Quantize(input, output, Int8, NoSpeed with { Gates = new QualityGates { MinCosine = 0.5 } }, calibration);

        Assert.Equal("held-out calibration samples (3 of 12; calibrated on the other 9)", result.Quality!.Evaluation!.DataSource);
        Assert.Equal(3, result.Quality.Evaluation.SampleCount);
        Assert.Equal(9, result.Calibration!.SampleCount);
        Assert.Equal("Int8 static", result.Quality.Precision);
        // x's quantization scale covers [−1, 1] (≈ 2/255), not the held-out 100 (≈ 101/255).
        var (model, _) = ModelReader.Load(output);
        var quantizeX = Assert.Single(model.Graph.Node, n => n.OpType == "QuantizeLinear" && n.Input[0] == "x");
        var scale = model.Graph.Initializer.Single(i => i.Name == quantizeX.Input[1]).ReadFloats()[0];
        Assert.InRange(scale, 1.5f / 255, 2.01f / 255);
    }

    [Fact]
    public void An_accuracy_gate_without_any_data_is_QNT0020_before_anything_is_written()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.int8.onnx");

        var error = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(input, output, Int8, new QualityCheckOptions { Gates = new QualityGates { MinSqnr = 20 } }));

        Assert.Equal(ErrorCodes.EvaluationDataMissing, error.Code);
        Assert.Contains($"'{input}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("MinSqnr", error.Message, StringComparison.Ordinal);
        Assert.Equal(["mlp.onnx"], Directory.GetFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Without_data_or_gates_accuracy_is_skipped_with_a_note_and_a_fixed_shape_model_is_timed_on_zeros()
    {
        var input = WriteModel(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var output = Path.Combine(_folder, "cnn.int8.onnx");

        var result = CheckedRun.Quantize(input, output, Int8, new QualityCheckOptions { SpeedBudget = TimeSpan.Zero });

        var report = result.Quality!;
        Assert.Null(report.Evaluation);
        Assert.NotNull(report.Speed);
        Assert.Contains(report.Notes, n => n.StartsWith("Accuracy was not compared", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.Contains("all-zero inputs", StringComparison.Ordinal));
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void A_symbolic_shape_model_without_data_skips_the_speed_check_with_a_note()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());

        var report = CheckedRun.Quantize(input, Path.Combine(_folder, "mlp.int8.onnx"), Int8, new QualityCheckOptions()).Quality!;

        Assert.Null(report.Speed);
        Assert.Contains(report.Notes, n => n.StartsWith("The speed check was skipped", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unreachable_speedup_gate_fails_with_both_medians()
    {
        var input = WriteModel(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var quality = new QualityCheckOptions { Gates = new QualityGates { MinSpeedup = 1000 }, SpeedBudget = TimeSpan.Zero };

        var error = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(input, Path.Combine(_folder, "cnn.int8.onnx"), Int8, quality));

        Assert.Equal(ErrorCodes.QualityGateFailed, error.Code);
        Assert.Matches(@"MinSpeedup 1000 not met: speedup [0-9.]+x \(float [0-9.]+ ms, quantized [0-9.]+ ms, median of 5 interleaved runs each\)", error.Message);
    }

    [Theory]
    [InlineData("speedup-without-check")]
    [InlineData("top1-drop-without-outputs")]
    [InlineData("unknown-top1-output")]
    public void Gates_that_cannot_be_measured_as_configured_are_QNT0009(string problem)
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var validation = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "validation", 1, [1, 64])] };
        var quality = problem switch
        {
            "speedup-without-check" => NoSpeed with { Gates = new QualityGates { MinSpeedup = 1 } },
            "top1-drop-without-outputs" => NoSpeed with { ValidationData = validation, Gates = new QualityGates { MaxTop1Drop = 0.1 } },
            _ => NoSpeed with { ValidationData = validation, Top1Outputs = ["logits"] },
        };

        var error = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(input, Path.Combine(_folder, "mlp.int8.onnx"), Int8, quality));

        Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        Assert.False(File.Exists(Path.Combine(_folder, "mlp.int8.onnx")));
        if (problem == "unknown-top1-output")
        {
            Assert.Contains("'logits' not found; the model's outputs are 'y'", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validation_data_that_does_not_fit_the_model_is_QNT0016()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var quality = NoSpeed with { ValidationData = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "validation", 2, [1, 32])] } };

        var error = Assert.Throws<QuantizeException>(() => CheckedRun.Quantize(input, Path.Combine(_folder, "mlp.int8.onnx"), Int8, quality));

        Assert.Equal(ErrorCodes.CalibrationInputMismatch, error.Code);
        Assert.False(File.Exists(Path.Combine(_folder, "mlp.int8.onnx")));
    }
}
