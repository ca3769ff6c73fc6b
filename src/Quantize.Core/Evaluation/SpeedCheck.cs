using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration.Data;

namespace Quantize.Core.Evaluation;

/// <summary>
/// Median latency of the float and the quantized model on this machine's CPU provider. Both sessions have
/// the same options and are warmed up first (the first runs allocate arenas and pack weights); then each
/// round runs both models once, the order alternating from round to round (F,Q then Q,F), so a machine that
/// speeds up or slows down during the check (turbo, another process) shifts both medians alike.
/// </summary>
public static class SpeedCheck
{
    /// <summary>Default wall-clock budget of the timed phase.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(3);

    /// <summary>Timed runs of each model, however long they take: fewer would make the median one noisy run.</summary>
    public const int MinimumRuns = 5;

    /// <summary>Timed runs of each model at most: tiny models reach this in milliseconds instead of spending the budget.</summary>
    public const int MaximumRuns = 100;

    /// <summary>Untimed runs of each model first.</summary>
    public const int WarmUpRuns = 2;

    /// <summary>Times both models of <paramref name="pair"/> on <paramref name="inputs"/>.</summary>
    /// <param name="pair">The two models.</param>
    /// <param name="inputs">One sample's inputs (the float model's names and types).</param>
    /// <param name="budget">Stop starting new rounds after this much time, once each model ran <see cref="MinimumRuns"/> times.</param>
    public static SpeedResult Measure(ModelPair pair, IReadOnlyDictionary<string, CalibrationTensor> inputs, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(inputs);
        using var floatFeed = ModelPair.Feed(pair.Float, inputs);
        using var quantizedFeed = ModelPair.Feed(pair.Quantized, inputs);
        using var runOptions = new RunOptions();
        const string source = "speed check input";
        (InferenceSession Session, SessionFeed Feed)[] models = [(pair.Float, floatFeed), (pair.Quantized, quantizedFeed)];

        for (int i = 0; i < WarmUpRuns; i++)
        {
            foreach (var (session, feed) in models)
            {
                pair.Run(session, feed, runOptions, source).Dispose();
            }
        }

        var times = new[] { new List<double>(), new List<double>() };
        var clock = Stopwatch.StartNew();
        for (int round = 0; round < MaximumRuns && (round < MinimumRuns || clock.Elapsed < budget); round++)
        {
            for (int k = 0; k < 2; k++)
            {
                int m = (round + k) % 2;
                long start = Stopwatch.GetTimestamp();
                // Fetching the outputs is part of a run's cost for an application too; disposing them is not timed.
                var outputs = pair.Run(models[m].Session, models[m].Feed, runOptions, source);
                times[m].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                outputs.Dispose();
            }
        }

        return SpeedResult.FromPairedRuns(times[0], times[1]);
    }

    /// <summary>
    /// All-zero inputs for a model whose every input has a fully static shape and a type samples can carry;
    /// null otherwise (a symbolic dimension has no size to synthesize).
    /// </summary>
    public static IReadOnlyDictionary<string, CalibrationTensor>? ZeroInputs(IReadOnlyList<ModelInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var zeros = new Dictionary<string, CalibrationTensor>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (input.Dims is null || input.Dims.Any(d => d is null) || CalibrationTensor.ElementSize(input.ElementType) is not int size)
            {
                return null;
            }

            long[] shape = [.. input.Dims.Select(d => d!.Value)];
            zeros[input.Name] = new CalibrationTensor(input.ElementType, shape, new byte[checked(shape.Aggregate(1L, (a, d) => a * d) * size)]);
        }

        return zeros;
    }
}
