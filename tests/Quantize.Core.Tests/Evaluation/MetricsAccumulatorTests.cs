using Quantize.Core.Evaluation;

namespace Quantize.Core.Tests.Evaluation;

/// <summary><see cref="MetricsAccumulator"/> against values computed by hand in the comments, and its defined edge cases.</summary>
public sealed class MetricsAccumulatorTests
{
    [Fact]
    public void Two_samples_give_the_hand_computed_cosine_sqnr_relative_l2_and_max_error()
    {
        var metrics = new MetricsAccumulator("y", classScores: false);
        // Sample 1: r = [1,2,3,4], q = [1,2,3,5]. r·q = 1+4+9+20 = 34, |r|² = 30, |q|² = 39,
        // cosine = 34 / √(30·39) = 34 / √1170 = 0.9939990885; difference [0,0,0,−1]: noise 1.
        metrics.Add([1, 2, 3, 4], [1, 2, 3, 5]);
        // Sample 2: identical [0,3,4,0]: cosine 1, signal 25, noise 0.
        metrics.Add([0, 3, 4, 0], [0, 3, 4, 0]);

        var result = metrics.Result();

        Assert.Equal("y", result.Output);
        Assert.Equal(2, metrics.SampleCount);
        // Mean cosine over samples: (0.9939990885 + 1) / 2 = 0.9969995443.
        Assert.Equal(0.9969995443, result.Cosine, 9);
        // SQNR over all samples: 10·log10(Σr² / Σ(r−q)²) = 10·log10((30 + 25) / 1) = 17.4036269 dB.
        Assert.Equal(17.4036269, result.SqnrDb, 6);
        // Relative L2: √(1 / 55) = 0.1348399725.
        Assert.Equal(0.1348399725, result.RelativeL2, 9);
        Assert.Equal(1, result.MaxAbsError);
        Assert.Null(result.Top1Agreement);
    }

    [Fact]
    public void Doubling_the_output_keeps_the_direction_but_has_as_much_noise_as_signal()
    {
        var metrics = new MetricsAccumulator("y", classScores: false);
        // q = 2r: cosine 1; noise Σ(r − 2r)² = Σr², so SQNR = 10·log10(1) = 0 dB and relative L2 = 1; max |r| = 3.
        metrics.Add([1, -2, 3], [2, -4, 6]);

        var result = metrics.Result();

        Assert.Equal(1, result.Cosine, 6);
        Assert.Equal(0, result.SqnrDb, 9);
        Assert.Equal(1, result.RelativeL2, 9);
        Assert.Equal(3, result.MaxAbsError);
    }

    [Fact]
    public void Top1_agreement_counts_rows_of_the_last_axis()
    {
        var metrics = new MetricsAccumulator("scores", classScores: true);
        // Two rows of 3 classes. Row 0: argmax 1 in both. Row 1: float argmax 0 (0.4), quantized argmax 2 (0.3 > 0.25 > 0.2).
        metrics.Add([0.1f, 0.9f, 0.5f, 0.4f, 0.2f, 0.3f], [0.1f, 0.8f, 0.5f, 0.2f, 0.25f, 0.3f], rowLength: 3);
        // A tie goes to the first index in both ([0.5, 0.5] → 0), so one more agreeing row: 2 of 3.
        metrics.Add([0.5f, 0.5f, 0f], [0.5f, 0.5f, 0f], rowLength: 3);

        Assert.Equal(2.0 / 3, metrics.Result().Top1Agreement!.Value, 12);
    }

    [Fact]
    public void Identical_outputs_read_exactly_1_and_infinite_sqnr_even_for_long_vectors()
    {
        // 100 003 elements: several SIMD chunks, where x·x and Σx² need not round alike.
        var random = new Random(5);
        var values = Enumerable.Range(0, 100_003).Select(_ => (float)((random.NextDouble() * 20) - 10)).ToArray();
        var metrics = new MetricsAccumulator("y", classScores: true);
        metrics.Add(values, values, rowLength: 1000);

        var result = metrics.Result();

        Assert.Equal(1.0, result.Cosine);
        Assert.Equal(double.PositiveInfinity, result.SqnrDb);
        Assert.Equal(0, result.RelativeL2);
        Assert.Equal(0, result.MaxAbsError);
        Assert.Equal(1.0, result.Top1Agreement);
    }

    [Fact]
    public void Zero_outputs_are_identical_and_a_zero_against_a_nonzero_output_has_cosine_0()
    {
        var bothZero = new MetricsAccumulator("y", classScores: false);
        bothZero.Add([0, 0, 0], [0, 0, 0]);
        Assert.Equal(new OutputMetrics("y", 1, double.PositiveInfinity, 0, 0, null), bothZero.Result());

        var floatZero = new MetricsAccumulator("y", classScores: false);
        floatZero.Add([0, 0], [3, 4]);
        // No signal, noise 25: SQNR −∞, relative L2 +∞, max abs 4.
        Assert.Equal(new OutputMetrics("y", 0, double.NegativeInfinity, 4, double.PositiveInfinity, null), floatZero.Result());

        var quantizedZero = new MetricsAccumulator("y", classScores: false);
        quantizedZero.Add([3, 4], [0, 0]);
        // Signal 25, noise 25: 0 dB, relative L2 1.
        Assert.Equal(new OutputMetrics("y", 0, 0, 4, 1, null), quantizedZero.Result());
    }

    [Fact]
    public void A_nan_in_the_quantized_output_makes_every_error_metric_nan()
    {
        var metrics = new MetricsAccumulator("y", classScores: false);
        metrics.Add([1, 2, 3], [1, float.NaN, 3]);
        metrics.Add([1, 2, 3], [1, 2, 3]); // A later clean sample must not hide it.

        var result = metrics.Result();

        Assert.True(double.IsNaN(result.Cosine));
        Assert.True(double.IsNaN(result.SqnrDb));
        Assert.True(double.IsNaN(result.RelativeL2));
        Assert.True(double.IsNaN(result.MaxAbsError));
    }

    [Fact]
    public void Mismatched_lengths_and_an_empty_accumulator_are_refused()
    {
        var metrics = new MetricsAccumulator("y", classScores: false);
        Assert.Throws<InvalidOperationException>(metrics.Result);
        Assert.Throws<ArgumentException>(() => metrics.Add([1, 2, 3], [1, 2]));
    }
}
