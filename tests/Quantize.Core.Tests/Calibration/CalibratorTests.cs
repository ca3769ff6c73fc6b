using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using static Quantize.Core.Tests.Calibration.CalibrationFixtures;

namespace Quantize.Core.Tests.Calibration;

public sealed class CalibratorTests
{
    private static readonly long[] CnnShape = [1, 3, 16, 16];

    private static List<float[]> CnnInputs(int count) => [.. Enumerable.Range(0, count).Select(i => Gaussian(3 * 16 * 16, 100 + i, sd: 1 + (i % 3)))];

    [Fact]
    public void MinMax_equals_the_exact_extremes_of_every_float_activation_over_all_samples()
    {
        var model = TestModelCatalog.SmallCnn();
        var inputs = CnnInputs(20);
        var outcome = ActivationCalibrator.Calibrate(model, "cnn.onnx", inputs.Select(v => Sample("x", v, CnnShape)), new CalibrationOptions());

        // Every node output of SmallCnn is float, plus the graph input.
        var tensors = model.Graph.Node.SelectMany(n => n.Output).Append("x").ToList();
        Assert.Equal(tensors.Order(StringComparer.Ordinal), outcome.Ranges.Ranges.Keys);
        var expectedMin = tensors.ToDictionary(t => t, _ => float.PositiveInfinity);
        var expectedMax = tensors.ToDictionary(t => t, _ => float.NegativeInfinity);
        foreach (var input in inputs)
        {
            var observed = RunObserving(model, tensors, "x", input, CnnShape);
            observed["x"] = input;
            foreach (var t in tensors)
            {
                expectedMin[t] = Math.Min(expectedMin[t], observed[t].Min());
                expectedMax[t] = Math.Max(expectedMax[t], observed[t].Max());
            }
        }

        foreach (var t in tensors)
        {
            Assert.True(outcome.Ranges.TryGet(t, out var range));
            Assert.Equal(expectedMin[t], range.Min);
            Assert.Equal(expectedMax[t], range.Max);
        }

        Assert.Equal(20, outcome.SampleCount);
        Assert.Empty(outcome.Warnings);
        Assert.Equal("MinMax", outcome.Ranges.Method);
    }

    [Fact]
    public void MinMax_moving_average_follows_ORTs_update_rule_over_per_sample_ranges()
    {
        var model = TestModelCatalog.Identity(1, 1000);
        var inputs = Enumerable.Range(0, 16).Select(i => Uniform(1000, i, -1 - i, 1 + (2 * i))).ToList();
        var outcome = ActivationCalibrator.Calibrate(model, "id.onnx", inputs.Select(v => Sample("x", v, 1, 1000)),
            new CalibrationOptions { MovingAverage = true, AveragingConstant = 0.25 });

        double min = inputs[0].Min();
        double max = inputs[0].Max();
        foreach (var v in inputs.Skip(1))
        {
            min += 0.25 * (v.Min() - min);
            max += 0.25 * (v.Max() - max);
        }

        Assert.True(outcome.Ranges.TryGet("y", out var range));
        Assert.Equal((float)min, range.Min, 5);
        Assert.Equal((float)max, range.Max, 5);
        Assert.True(range.Max < inputs.Max(v => v.Max()));
    }

    [Theory]
    [InlineData(99.9, 3.2905)] // |N(0,1)| quantile 0.999 = Φ⁻¹(0.9995)
    [InlineData(99.0, 2.5758)] // Φ⁻¹(0.995)
    public void Symmetric_percentile_of_a_Gaussian_is_its_absolute_quantile(double percentile, double expected)
    {
        var model = TestModelCatalog.Identity(1, "n");
        var samples = Enumerable.Range(0, 10).Select(i => Sample("x", Gaussian(100_000, i), 1, 100_000));
        var outcome = ActivationCalibrator.Calibrate(model, "id.onnx", samples, new CalibrationOptions { Method = CalibrationMethod.Percentile, Percentile = percentile });

        foreach (var name in new[] { "x", "y" })
        {
            Assert.True(outcome.Ranges.TryGet(name, out var range));
            // Sampling error of the quantile from 10⁶ values (≈0.009 at 99.9) plus one bin (≈0.0012).
            Assert.InRange(range.Max, expected - 0.03, expected + 0.03);
            Assert.InRange(range.Min, -expected - 0.03, -expected + 0.03);
        }
    }

    [Fact]
    public void Per_side_percentile_of_a_uniform_distribution_takes_each_tail_separately()
    {
        var model = TestModelCatalog.Identity(1, "n");
        var samples = Enumerable.Range(0, 8).Select(i => Sample("x", Uniform(50_000, i, -1, 3), 1, 50_000));
        var outcome = ActivationCalibrator.Calibrate(model, "id.onnx", samples,
            new CalibrationOptions { Method = CalibrationMethod.Percentile, Percentile = 99, SymmetricPercentile = false });

        Assert.True(outcome.Ranges.TryGet("y", out var range));
        Assert.InRange(range.Min, -0.96 - 0.01, -0.96 + 0.01);
        Assert.InRange(range.Max, 2.96 - 0.01, 2.96 + 0.01);
    }

    [Fact]
    public void Symmetric_percentile_of_a_non_negative_tensor_keeps_zero_as_its_lower_end()
    {
        var model = TestModelCatalog.Identity(1, "n");
        var samples = Enumerable.Range(0, 4).Select(i => Sample("x", Uniform(50_000, i, 0, 2), 1, 50_000));
        var outcome = ActivationCalibrator.Calibrate(model, "id.onnx", samples, new CalibrationOptions { Method = CalibrationMethod.Percentile, Percentile = 99 });

        Assert.True(outcome.Ranges.TryGet("y", out var range));
        Assert.True(range.Min >= 0);
        Assert.InRange(range.Max, 1.98 - 0.01, 1.98 + 0.01);
    }

    [Fact]
    public void Entropy_clips_the_outliers_of_a_Gaussian_and_stays_strictly_inside_MinMax()
    {
        var model = TestModelCatalog.Identity(1, "n");
        var samples = Enumerable.Range(0, 8).Select(i =>
        {
            var values = Gaussian(50_000, i);
            values[i] = 40; // a few extreme outliers, both signs
            values[i + 1] = -40;
            return Sample("x", values, 1, 50_000);
        }).ToList();

        var entropy = ActivationCalibrator.Calibrate(model, "id.onnx", samples, new CalibrationOptions { Method = CalibrationMethod.Entropy });
        var minMax = ActivationCalibrator.Calibrate(model, "id.onnx", samples, new CalibrationOptions());

        Assert.True(entropy.Ranges.TryGet("y", out var range));
        Assert.True(minMax.Ranges.TryGet("y", out var full));
        Assert.Equal(40f, full.Max);
        Assert.True(range.Max < 10, $"entropy threshold {range.Max} does not clip the outliers at 40");
        Assert.True(range.Max > 2.5, $"entropy threshold {range.Max} clips the Gaussian's body");
        Assert.True(range.Min > full.Min && range.Max < full.Max);
        Assert.Equal(-range.Max, range.Min);
    }

    [Fact]
    public void Entropy_keeps_nearly_the_whole_range_of_a_uniform_distribution()
    {
        var model = TestModelCatalog.Identity(1, "n");
        var samples = Enumerable.Range(0, 4).Select(i => Sample("x", Uniform(50_000, i, -1, 1), 1, 50_000));
        var outcome = ActivationCalibrator.Calibrate(model, "id.onnx", samples, new CalibrationOptions { Method = CalibrationMethod.Entropy });

        Assert.True(outcome.Ranges.TryGet("y", out var range));
        Assert.InRange(range.Max, 0.9f, 1f);
    }

    [Fact]
    public void Entropy_of_a_tensor_away_from_zero_keeps_its_MinMax_range()
    {
        // A LayerNorm's variance + ε or its Sqrt: all values in [0.4, 0.7]. Symmetric windows narrower than 0.4
        // clip everything onto one edge bin (KL ≈ 0), which used to win and give min 0.4 > max 0.0625.
        var model = TestModelCatalog.Identity(1, "n");
        var samples = Enumerable.Range(0, 4).Select(i => Sample("x", Uniform(20_000, i, 0.4f, 0.7f), 1, 20_000)).ToList();
        var outcome = ActivationCalibrator.Calibrate(model, "id.onnx", samples, new CalibrationOptions { Method = CalibrationMethod.Entropy });

        Assert.True(outcome.Ranges.TryGet("y", out var range));
        Assert.Equal(new TensorRange(samples.Min(s => s.Inputs["x"].FloatSpan.ToArray().Min()), samples.Max(s => s.Inputs["x"].FloatSpan.ToArray().Max())), range);
    }

    [Fact]
    public void Entropy_with_ORTs_default_bins_and_levels_degenerates_to_MinMax_which_ours_avoids()
    {
        var model = TestModelCatalog.Identity(1, "n");
        var samples = Enumerable.Range(0, 4).Select(i =>
        {
            var values = Gaussian(20_000, i);
            values[0] = 30;
            values[1] = -30;
            return Sample("x", values, 1, 20_000);
        }).ToList();

        var degenerate = ActivationCalibrator.Calibrate(model, "id.onnx", samples, new CalibrationOptions { Method = CalibrationMethod.Entropy, HistogramBins = 128 });
        var ours = ActivationCalibrator.Calibrate(model, "id.onnx", samples, new CalibrationOptions { Method = CalibrationMethod.Entropy });

        Assert.True(degenerate.Ranges.TryGet("y", out var one));
        Assert.Equal(new TensorRange(-30, 30), one);
        Assert.True(ours.Ranges.TryGet("y", out var searched));
        Assert.True(searched.Max < 10);
    }

    [Fact]
    public void A_small_set_warns_QNT1004_and_no_samples_is_QNT0014()
    {
        var model = TestModelCatalog.Identity(1, 4);
        var few = ActivationCalibrator.Calibrate(model, "id.onnx", [Sample("x", [1, 2, 3, 4], 1, 4)], new CalibrationOptions());
        Assert.Equal(ErrorCodes.FewCalibrationSamples, Assert.Single(few.Warnings).Code);

        var none = Assert.Throws<QuantizeException>(() => ActivationCalibrator.Calibrate(model, "id.onnx", [], new CalibrationOptions()));
        Assert.Equal(ErrorCodes.CalibrationDataEmpty, none.Code);
    }

    [Fact]
    public void Samples_that_do_not_fit_the_model_are_rejected_before_ONNX_Runtime_runs()
    {
        var model = TestModelCatalog.Identity(1, 4);
        var wrongShape = Assert.Throws<QuantizeException>(() =>
            ActivationCalibrator.Calibrate(model, "id.onnx", [Sample("x", [1, 2, 3, 4, 5], 1, 5)], new CalibrationOptions()));
        Assert.Equal(ErrorCodes.CalibrationInputMismatch, wrongShape.Code);
        Assert.Contains("sample-x", wrongShape.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<QuantizeException>(() =>
            ActivationCalibrator.Calibrate(model, "id.onnx", [Sample("z", [1, 2, 3, 4], 1, 4)], new CalibrationOptions()));
        Assert.Equal(ErrorCodes.CalibrationInputMissing, missing.Code);

        var wrongType = new CalibrationSample("ints", new Dictionary<string, CalibrationTensor> { ["x"] = CalibrationTensor.FromInt64s([1, 2, 3, 4], 1, 4) });
        var mismatch = Assert.Throws<QuantizeException>(() => ActivationCalibrator.Calibrate(model, "id.onnx", [wrongType], new CalibrationOptions()));
        Assert.Equal(ErrorCodes.CalibrationInputMismatch, mismatch.Code);
    }

    [Fact]
    public void Invalid_calibration_options_are_QNT0009()
    {
        var model = TestModelCatalog.Identity(1, 4);
        foreach (var options in new[]
        {
            new CalibrationOptions { Method = CalibrationMethod.Percentile, Percentile = 0 },
            new CalibrationOptions { Method = CalibrationMethod.Entropy, HistogramBins = 2047 },
            new CalibrationOptions { MovingAverage = true, AveragingConstant = 2 },
        })
        {
            var error = Assert.Throws<QuantizeException>(() => ActivationCalibrator.Calibrate(model, "id.onnx", [Sample("x", [1, 2, 3, 4], 1, 4)], options));
            Assert.Equal(ErrorCodes.InvalidOption, error.Code);
        }
    }

    [Fact]
    public void Explicit_tensor_list_observes_only_those_tensors()
    {
        var model = TestModelCatalog.SmallCnn();
        var outcome = ActivationCalibrator.Calibrate(model, "cnn.onnx", CnnInputs(2).Select(v => Sample("x", v, CnnShape)), new CalibrationOptions(), ["relu1_out", "gap_out"]);
        Assert.Equal(["gap_out", "relu1_out"], outcome.Ranges.Ranges.Keys);
    }

    [Fact]
    public void Ranges_survive_a_JSON_round_trip_exactly_and_serialize_deterministically()
    {
        var ranges = new ActivationRanges(new Dictionary<string, TensorRange>
        {
            ["z"] = new(-0.1f, 3.4028235e38f),
            ["a/b:0"] = new(-1.17549435e-38f, 1f / 3),
        }, "Percentile 99.999 symmetric bins=16384");

        var json = ActivationRangesFile.ToJson(ranges);
        var back = ActivationRangesFile.FromJson(json);
        Assert.Equal(ranges.Method, back.Method);
        Assert.Equal(ranges.Ranges, back.Ranges);
        Assert.Equal(json, ActivationRangesFile.ToJson(back));
        Assert.True(json.IndexOf("a/b:0", StringComparison.Ordinal) < json.IndexOf("\"z\"", StringComparison.Ordinal));

        var folder = RealModels.ScratchFolder("ranges");
        var path = Path.Combine(folder, "model.ranges.json");
        ActivationRangesFile.Save(ranges, path);
        Assert.Equal(ranges.Ranges, ActivationRangesFile.TryLoad(path)!.Ranges);
        File.WriteAllText(path, "{ not json");
        Assert.Null(ActivationRangesFile.TryLoad(path));
    }
}
