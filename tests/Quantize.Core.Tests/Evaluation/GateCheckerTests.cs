using Quantize.Core.Evaluation;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>Each gate passes at exactly its threshold and fails just beyond it; NaN fails; the message says what a user needs.</summary>
public sealed class GateCheckerTests
{
    private static readonly OutputMetrics Scores = new("scores", Cosine: 0.995, SqnrDb: 30, MaxAbsError: 0.1, RelativeL2: 0.03, Top1Agreement: 0.99);
    private static readonly OutputMetrics Hidden = new("hidden", Cosine: 0.999, SqnrDb: 35, MaxAbsError: 0.1, RelativeL2: 0.02, Top1Agreement: null);
    private static readonly EvaluationResult Evaluation = new([Scores, Hidden], 100, "validation data (100 samples)");
    private static readonly SpeedResult Speed = new(FloatMedianMs: 12, QuantizedMedianMs: 10, Runs: 20); // speedup 1.2

    [Theory]
    [InlineData(0.995, true)]
    [InlineData(0.995 + 1e-9, false)]
    public void MinCosine_is_met_by_the_worst_output_at_its_threshold(double threshold, bool passes) =>
        AssertVerdict(new QualityGates { MinCosine = threshold }, passes, new GateFailure("MinCosine", threshold, 0.995, "scores"));

    [Theory]
    [InlineData(30.0, true)]
    [InlineData(30.000001, false)]
    public void MinSqnr_is_met_at_its_threshold(double threshold, bool passes) =>
        AssertVerdict(new QualityGates { MinSqnr = threshold }, passes, new GateFailure("MinSqnr", threshold, 30, "scores"));

    [Theory]
    // Agreement 0.99 is a drop of 1 − 0.99 = 0.010000000000000009 in doubles: a gate of 0.01 must still accept it.
    [InlineData(0.01, true)]
    [InlineData(0.01 - 1e-9, false)]
    public void MaxTop1Drop_is_met_at_its_threshold_despite_double_rounding(double threshold, bool passes) =>
        AssertVerdict(new QualityGates { MaxTop1Drop = threshold }, passes, new GateFailure("MaxTop1Drop", threshold, 1 - 0.99, "scores"));

    [Theory]
    [InlineData(1.2, true)]
    [InlineData(1.2 + 1e-9, false)]
    public void MinSpeedup_is_met_at_its_threshold(double threshold, bool passes) =>
        AssertVerdict(new QualityGates { MinSpeedup = threshold }, passes, new GateFailure("MinSpeedup", threshold, 1.2, null));

    [Fact]
    public void No_gates_pass_whatever_was_measured()
    {
        Assert.Empty(GateChecker.Check(new QualityGates(), null, null));
    }

    [Fact]
    public void Every_failing_output_is_reported_in_output_order()
    {
        var failures = GateChecker.Check(new QualityGates { MinCosine = 0.9995, MinSqnr = 40 }, Evaluation, Speed);

        Assert.Equal(["MinCosine scores", "MinCosine hidden", "MinSqnr scores", "MinSqnr hidden"], failures.Select(f => $"{f.Metric} {f.Output}"));
    }

    [Fact]
    public void A_nan_measurement_fails_every_gate()
    {
        var broken = new EvaluationResult([new OutputMetrics("y", double.NaN, double.NaN, double.NaN, double.NaN, double.NaN)], 1, "x");
        var failures = GateChecker.Check(new QualityGates { MinCosine = -1, MinSqnr = double.NegativeInfinity, MaxTop1Drop = 1 }, broken, null);

        Assert.Equal(["MinCosine", "MinSqnr", "MaxTop1Drop"], failures.Select(f => f.Metric));
    }

    [Fact]
    public void A_gate_without_its_measurement_is_a_caller_error_not_a_pass()
    {
        Assert.Throws<InvalidOperationException>(() => GateChecker.Check(new QualityGates { MinCosine = 0.9 }, null, Speed));
        Assert.Throws<InvalidOperationException>(() => GateChecker.Check(new QualityGates { MinSpeedup = 1 }, Evaluation, null));
        Assert.Throws<InvalidOperationException>(() => GateChecker.Check(new QualityGates { MaxTop1Drop = 0.1 }, new EvaluationResult([Hidden], 1, "x"), null));
    }

    [Fact]
    public void The_message_names_the_model_metric_threshold_measurement_data_and_the_worst_three_layers()
    {
        var report = new QualityReport { ModelPath = "models/bert.onnx", Precision = "Int8", Evaluation = Evaluation, Speed = Speed };
        report.Failures.AddRange(GateChecker.Check(new QualityGates { MinCosine = 0.998, MinSpeedup = 1.5 }, Evaluation, Speed));
        report.Layers.AddRange([
            new LayerSensitivity("ffn_3", "MatMul", 0.21, 0.002),
            new LayerSensitivity("attn_0", "MatMul", 0.12, null),
            new LayerSensitivity("ffn_1", "MatMul", 0.05, null),
            new LayerSensitivity("ffn_0", "MatMul", 0.01, null),
        ]);

        var message = GateFailureMessage.Format(report);

        Assert.Contains("'models/bert.onnx' (Int8)", message, StringComparison.Ordinal);
        Assert.Contains("MinCosine 0.998 not met by output 'scores': cosine 0.995", message, StringComparison.Ordinal);
        Assert.Contains("MinSpeedup 1.5 not met: speedup 1.2x (float 12 ms, quantized 10 ms", message, StringComparison.Ordinal);
        Assert.Contains("validation data (100 samples)", message, StringComparison.Ordinal);
        Assert.Contains("Worst layers: ffn_3 (MatMul, local error 0.21), attn_0 (MatMul, local error 0.12), ffn_1 (MatMul, local error 0.05)", message, StringComparison.Ordinal);
        Assert.Contains("<Exclude>ffn_3;attn_0;ffn_1</Exclude>", message, StringComparison.Ordinal);
        Assert.DoesNotContain("ffn_0", message, StringComparison.Ordinal);
    }

    private static void AssertVerdict(QualityGates gates, bool passes, GateFailure expectedFailure)
    {
        var failures = GateChecker.Check(gates, Evaluation, Speed);
        if (passes)
        {
            Assert.Empty(failures);
        }
        else
        {
            Assert.Equal(expectedFailure, Assert.Single(failures));
        }
    }
}
