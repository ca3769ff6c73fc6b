using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using static Quantize.Core.Tests.Calibration.CalibrationFixtures;

namespace Quantize.Core.Tests.Calibration;

/// <summary>
/// Batching is a speed setting only: samples run one at a time or concatenated eight to an ONNX Runtime call
/// give identical ranges for every method (MinMax is exact; the histograms' power-of-two ranges and exact
/// binning make their counts independent of how values are split into calls).
/// </summary>
public sealed class CalibrationBatchingTests
{
    public static TheoryData<CalibrationMethod, string> Cases()
    {
        var data = new TheoryData<CalibrationMethod, string>();
        foreach (var method in Enum.GetValues<CalibrationMethod>())
        {
            data.Add(method, "mlp");
            data.Add(method, "attention");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Batches_of_1_or_8_give_the_same_ranges(CalibrationMethod method, string modelName)
    {
        var (model, samples) = modelName == "mlp" ? MlpSamples() : AttentionSamples();

        var one = Calibrate(model, samples, method, 1, out int oneBatch);
        var eight = Calibrate(model, samples, method, 8, out int eightBatch);

        Assert.Equal(1, oneBatch);
        Assert.Equal(8, eightBatch);
        Assert.Equal(samples.Count, eight.SampleCount);
        Assert.Equal(one.Ranges.Ranges.Keys, eight.Ranges.Ranges.Keys);
        Assert.NotEmpty(one.Ranges.Ranges);
        foreach (var (name, range) in one.Ranges.Ranges)
        {
            Assert.True(eight.Ranges.TryGet(name, out var batched));
            Assert.True(range == batched, $"{name}: batch 1 {range}, batch 8 {batched}");
        }
    }

    [Fact]
    public void Histogram_methods_give_the_same_ranges_whatever_the_sample_order()
    {
        // The first sample used to fix the histogram's starting range; now the range depends on the values only.
        var (model, samples) = MlpSamples();
        foreach (var method in new[] { CalibrationMethod.Percentile, CalibrationMethod.Entropy })
        {
            var forward = Calibrate(model, samples, method, 1, out _);
            var reversed = Calibrate(model, [.. Enumerable.Reverse(samples)], method, 1, out _);
            Assert.Equal(forward.Ranges.Ranges, reversed.Ranges.Ranges);
        }
    }

    [Fact]
    public void A_model_with_a_fixed_first_dimension_runs_one_sample_at_a_time_and_says_so()
    {
        var model = TestModelCatalog.SmallCnn();
        long[] shape = [1, 3, 16, 16];
        var samples = Enumerable.Range(0, 10).Select(i => Sample("x", Gaussian(3 * 16 * 16, i), shape)).ToList();

        var outcome = Calibrate(model, samples, CalibrationMethod.MinMax, 8, out int batch);

        Assert.Equal(1, batch);
        Assert.Contains(outcome.Notes, n => n.Contains("one sample at a time", StringComparison.Ordinal) && n.Contains("[1, 3, 16, 16]", StringComparison.Ordinal));
        Assert.Equal(Calibrate(model, samples, CalibrationMethod.MinMax, 1, out _).Ranges.Ranges, outcome.Ranges.Ranges);
    }

    [Fact]
    public void Moving_average_runs_one_sample_at_a_time_because_it_averages_per_sample_ranges()
    {
        var (model, samples) = MlpSamples();
        var options = new CalibrationOptions { MovingAverage = true, BatchSize = 8 };
        using var calibrator = new StreamingCalibrator(model, "mlp.onnx", options);
        Assert.Equal(1, calibrator.BatchSize);
    }

    private static CalibrationOutcome Calibrate(Onnx.ModelProto model, IReadOnlyList<CalibrationSample> samples, CalibrationMethod method, int batchSize, out int usedBatch)
    {
        using var calibrator = new StreamingCalibrator(model, "model.onnx", new CalibrationOptions { Method = method, BatchSize = batchSize });
        foreach (var sample in samples)
        {
            calibrator.Add(sample);
        }

        usedBatch = calibrator.BatchSize;
        return calibrator.Complete();
    }

    /// <summary>21 samples (two full batches and a partial one), spreads varying so later samples widen the ranges.</summary>
    private static (Onnx.ModelProto, List<CalibrationSample>) MlpSamples() =>
        (TestModelCatalog.Mlp(), [.. Enumerable.Range(0, 21).Select(i => Sample("x", Gaussian(64, 300 + i, sd: 0.5 + (i % 5)), 1, 64))]);

    /// <summary>Sequences of three lengths interleaved: each length is its own group, batched without padding.</summary>
    private static (Onnx.ModelProto, List<CalibrationSample>) AttentionSamples() =>
        (TestModelCatalog.AttentionBlock(), [.. Enumerable.Range(0, 30).Select(i =>
        {
            int seq = 3 + (i % 3);
            return Sample("x", Gaussian(seq * 32, 500 + i, sd: 0.3 + (i % 7 * 0.4)), 1, seq, 32);
        })]);
}
