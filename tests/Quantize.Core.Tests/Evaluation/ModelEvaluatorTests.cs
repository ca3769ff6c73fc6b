using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;
using static Quantize.Core.Tests.Evaluation.EvaluationFixtures;

namespace Quantize.Core.Tests.Evaluation;

/// <summary><see cref="ModelEvaluator"/> and <see cref="SpeedCheck"/> on real ONNX Runtime sessions of catalog models.</summary>
public sealed class ModelEvaluatorTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("model-evaluator");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_int8_mlp_is_close_to_float_but_not_identical_and_its_metrics_match_an_independent_run()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.int8.onnx");
        QuantizeEngine.Quantize(input, output, new QuantizeOptions { Precision = Precision.Int8 });
        var samples = Read(input, new CalibrationDataOptions { Sources = [WriteSamples(_folder, "data", 6, [2, 64])] });

        var result = ModelEvaluator.Evaluate(input, output, samples, "test data", top1Outputs: ["y"]);

        Assert.Equal(6, result.SampleCount);
        Assert.Equal("test data", result.DataSource);
        var y = Assert.Single(result.Outputs);
        Assert.Equal("y", y.Output);
        Assert.InRange(y.Cosine, 0.9, 1 - 1e-9);
        Assert.InRange(y.SqnrDb, 10, 200);
        // The same numbers from OrtRunner's own sessions and a plain-loop cosine (not the accumulator under test).
        double cosineSum = 0, signal = 0, noise = 0;
        foreach (var sample in samples)
        {
            var feed = new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(sample.Inputs["x"].FloatSpan.ToArray(), 2, 64) };
            var expected = OrtRunner.Run(input, feed)["y"];
            var actual = OrtRunner.Run(output, feed)["y"];
            cosineSum += Similarity.Cosine(expected, actual);
            signal += expected.Sum(v => (double)v * v);
            noise += expected.Zip(actual, (e, a) => ((double)e - a) * ((double)e - a)).Sum();
        }

        Assert.Equal(cosineSum / samples.Count, y.Cosine, 5);
        Assert.Equal(10 * Math.Log10(signal / noise), y.SqnrDb, 3);
        // 6 samples × 2 rows of 10 class scores: agreement is a multiple of 1/12.
        Assert.NotNull(y.Top1Agreement);
        Assert.Equal(0, (y.Top1Agreement.Value * 12) % 1, 9);
    }

    [Fact]
    public void A_model_compared_with_itself_reads_cosine_1_and_infinite_sqnr()
    {
        var input = WriteModel(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var samples = Read(input, new CalibrationDataOptions { Sources = [WriteSamples(_folder, "data", 3, [1, 3, 16, 16])] });

        var result = ModelEvaluator.Evaluate(input, input, samples, "self", top1Outputs: ["y"]);

        Assert.Equal([new OutputMetrics("y", 1, double.PositiveInfinity, 0, 0, 1)], result.Outputs);
    }

    [Fact]
    public void An_fp16_model_with_converted_io_takes_the_same_float_samples_and_its_half_outputs_are_compared()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var output = Path.Combine(_folder, "mlp.fp16.onnx");
        QuantizeEngine.Quantize(input, output, new QuantizeOptions { Precision = Precision.Fp16, KeepIoTypes = false });
        var samples = Read(input, new CalibrationDataOptions { Sources = [WriteSamples(_folder, "data", 2, [1, 64])] });

        var y = Assert.Single(ModelEvaluator.Evaluate(input, output, samples, "fp16").Outputs);

        Assert.InRange(y.Cosine, 0.9999, 1);
        Assert.InRange(y.SqnrDb, 40, double.PositiveInfinity);
    }

    [Fact]
    public void The_speed_check_times_both_models_at_least_the_minimum_number_of_runs()
    {
        var input = WriteModel(_folder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var output = Path.Combine(_folder, "cnn.int8.onnx");
        QuantizeEngine.Quantize(input, output, new QuantizeOptions { Precision = Precision.Int8 });
        using var pair = ModelPair.Open(input, output);
        var zeros = SpeedCheck.ZeroInputs(pair.Inputs);
        Assert.NotNull(zeros);
        Assert.Equal([1L, 3, 16, 16], zeros["x"].Shape);

        var speed = SpeedCheck.Measure(pair, zeros, TimeSpan.Zero);

        Assert.Equal(SpeedCheck.MinimumRuns, speed.Runs);
        Assert.True(speed.FloatMedianMs > 0 && speed.QuantizedMedianMs > 0, $"{speed}");
    }

    [Fact]
    public void Inputs_with_symbolic_dimensions_cannot_be_made_up()
    {
        var input = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        using var pair = ModelPair.Open(input, input);

        Assert.Equal([new ModelInput("x", Core.Onnx.TensorProto.Types.DataType.Float, [null, 64])], pair.Inputs, new ModelInputComparer());
        Assert.Null(SpeedCheck.ZeroInputs(pair.Inputs));
    }

    [Fact]
    public void Weights_listed_among_the_inputs_of_an_ir3_model_are_not_inputs_to_feed()
    {
        using var pair = ModelPair.Open(RealModels.ResNet18Path, RealModels.ResNet18Path);

        var input = Assert.Single(pair.Inputs);
        Assert.Equal([1L, 3, 224, 224], input.Dims!.Select(d => d!.Value));
    }

    private sealed class ModelInputComparer : IEqualityComparer<ModelInput>
    {
        public bool Equals(ModelInput? x, ModelInput? y) =>
            x!.Name == y!.Name && x.ElementType == y.ElementType && x.Dims!.SequenceEqual(y.Dims!);

        public int GetHashCode(ModelInput obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
