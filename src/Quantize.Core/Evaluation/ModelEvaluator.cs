using System.Diagnostics;
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
    /// <param name="timings">Receives each sample's float and quantized run time, for the speed check.</param>
    public static EvaluationResult Evaluate(ModelPair pair, IEnumerable<CalibrationSample> samples, string dataSource, IReadOnlyCollection<string>? top1Outputs = null,
        RunTimings? timings = null)
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
            IDisposableReadOnlyCollection<OrtValue>? expected = null, actual = null;
            try
            {
                // Alternate which model runs first, so the run times recorded here cancel drift as the speed check's do.
                double floatMs, quantizedMs;
                if (count % 2 == 0)
                {
                    expected = Timed(pair, pair.Float, floatFeed, runOptions, sample.Source, out floatMs);
                    actual = Timed(pair, pair.Quantized, quantizedFeed, runOptions, sample.Source, out quantizedMs);
                }
                else
                {
                    actual = Timed(pair, pair.Quantized, quantizedFeed, runOptions, sample.Source, out quantizedMs);
                    expected = Timed(pair, pair.Float, floatFeed, runOptions, sample.Source, out floatMs);
                }

                timings?.Add(floatMs, quantizedMs);
                Compare(pair, accumulators, skipped, expected, actual, ref floatBuffer, ref quantizedBuffer, sample.Source);
            }
            finally
            {
                expected?.Dispose();
                actual?.Dispose();
            }

            count++;
        }

        var metrics = accumulators.Where((a, o) => !skipped.Contains(o) && a.SampleCount > 0).Select(a => a.Result()).ToList();
        return new EvaluationResult(metrics, count, dataSource);
    }

    private static IDisposableReadOnlyCollection<OrtValue> Timed(ModelPair pair, InferenceSession session, SessionFeed feed, RunOptions runOptions, string source, out double milliseconds)
    {
        long start = Stopwatch.GetTimestamp();
        var outputs = pair.Run(session, feed, runOptions, source);
        milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return outputs;
    }

    /// <summary>Folds one sample's outputs into the accumulators; outputs that are not numeric tensors are skipped.</summary>
    private static void Compare(ModelPair pair, MetricsAccumulator[] accumulators, HashSet<int> skipped, IDisposableReadOnlyCollection<OrtValue> expected,
        IDisposableReadOnlyCollection<OrtValue> actual, ref float[] floatBuffer, ref float[] quantizedBuffer, string source)
    {
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
                    $"Output '{pair.Outputs[o]}' of the quantized model has {quantized.Length} elements on sample '{source}', the float model {reference.Length}. This is a Quantize.Build defect; please report it with the model.");
            }

            accumulators[o].Add(reference, quantized, OrtTensors.LastDimension(expected[o]));
        }
    }
}
