using Quantize.Testing.Packaging;

namespace Quantize.Benchmarks;

/// <summary>What the benchmark modes share: medians of repeated measurements and failing loudly on a failed build step.</summary>
internal static class BenchmarkSteps
{
    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>
    /// Runs <paramref name="steps"/> <paramref name="rounds"/> times, each round starting one step later than the last, so
    /// that no step always runs first (after a cold cache) or right after the same neighbour.
    /// </summary>
    public static void Rotated(int rounds, IReadOnlyList<Action> steps)
    {
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < steps.Count; i++)
            {
                steps[(round + i) % steps.Count]();
            }
        }
    }

    /// <summary>Throws with the whole output when <paramref name="result"/> failed: a benchmark never reports numbers from broken builds.</summary>
    public static void Check(CommandResult result, string step)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{step} failed:\n{result.Output}");
        }
    }
}
