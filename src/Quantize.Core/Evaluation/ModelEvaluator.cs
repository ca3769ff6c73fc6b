using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Evaluation;

/// <summary>
/// Compares the quantized model with its float original: both run on the same samples, in the order given
/// (so the numbers are reproducible), and every common graph output is folded into an
/// <see cref="MetricsAccumulator"/>. One sample's inputs and outputs are in memory at a time.
/// </summary>
public static class ModelEvaluator
{
    /// <summary>Opens both models and evaluates them on <paramref name="samples"/>.</summary>
    /// <param name="floatModelPath">The float model.</param>
    /// <param name="quantizedModelPath">Its quantized form.</param>
    /// <param name="samples">Inputs for the float model (see <see cref="CalibrationDataReader"/>), each used once, in order.</param>
    /// <param name="dataSource">Where the samples come from, for the result.</param>
    /// <param name="top1Outputs">Outputs that hold class scores: top-1 agreement is measured on them.</param>
    public static EvaluationResult Evaluate(string floatModelPath, string quantizedModelPath, IEnumerable<CalibrationSample> samples,
        string dataSource, IReadOnlyCollection<string>? top1Outputs = null)
    {
        using var pair = ModelPair.Open(floatModelPath, quantizedModelPath);
        return Evaluate(pair, samples, dataSource, top1Outputs);
    }

    /// <summary>Evaluates an open pair on <paramref name="samples"/> (the speed check can then reuse the sessions).</summary>
    /// <param name="pair">The two models.</param>
    /// <param name="samples">Inputs for the float model, each used once, in order.</param>
    /// <param name="dataSource">Where the samples come from, for the result.</param>
    /// <param name="top1Outputs">Outputs that hold class scores: top-1 agreement is measured on them.</param>
    public static EvaluationResult Evaluate(ModelPair pair, IEnumerable<CalibrationSample> samples, string dataSource, IReadOnlyCollection<string>? top1Outputs = null)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(samples);
        var accumulators = pair.Outputs.Select(o => new MetricsAccumulator(o, top1Outputs?.Contains(o) ?? false)).ToArray();
        var skipped = new HashSet<int>();
        float[] floatBuffer = [], quantizedBuffer = [];
        int count = 0;
        using var runOptions = new RunOptions();
        foreach (var sample in samples)
        {
            using var floatFeed = ModelPair.Feed(pair.Float, sample.Inputs);
            using var quantizedFeed = ModelPair.Feed(pair.Quantized, sample.Inputs);
            using var expected = pair.Run(pair.Float, floatFeed, runOptions, sample.Source);
            using var actual = pair.Run(pair.Quantized, quantizedFeed, runOptions, sample.Source);
            for (int o = 0; o < accumulators.Length; o++)
            {
                if (!OrtTensors.TryReadFloats(expected[o], ref floatBuffer, out var reference)
                    || !OrtTensors.TryReadFloats(actual[o], ref quantizedBuffer, out var quantized))
                {
                    skipped.Add(o); // Not a numeric tensor (sequence, map, strings): nothing to measure.
                    continue;
                }

                if (reference.Length != quantized.Length)
                {
                    throw new QuantizeException(ErrorCodes.OutputRejected, pair.FloatPath,
                        $"Output '{pair.Outputs[o]}' of the quantized model has {quantized.Length} elements on sample '{sample.Source}', the float model {reference.Length}. This is a Quantize.Build defect; please report it with the model.");
                }

                accumulators[o].Add(reference, quantized, OrtTensors.LastDimension(expected[o]));
            }

            count++;
        }

        var metrics = accumulators.Where((a, o) => !skipped.Contains(o) && a.SampleCount > 0).Select(a => a.Result()).ToList();
        return new EvaluationResult(metrics, count, dataSource);
    }
}
