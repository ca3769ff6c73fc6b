using Quantize.Core.Calibration.Statistics;
using static Quantize.Core.Tests.Calibration.CalibrationFixtures;

namespace Quantize.Core.Tests.Calibration;

/// <summary>
/// The entropy search evaluates KL(P‖Q) from prefix sums in O(levels) per candidate window; this checks it
/// against the definition written out bin by bin (P with the clipped mass on its edges, Q spread over P's
/// non-empty bins per group, ε for empty groups) on varied histograms.
/// </summary>
public sealed class EntropySearchTests
{
    public static TheoryData<string> Shapes() => ["gaussian", "relu", "outliers", "sparse", "uniform"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Prefix_sum_search_picks_the_window_the_bin_by_bin_definition_picks(string shape)
    {
        var histogram = new StreamingHistogram(2048);
        for (int seed = 0; seed < 4; seed++)
        {
            var values = Gaussian(20_000, seed);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = shape switch
                {
                    "relu" => Math.Max(0, values[i]),
                    "outliers" => i % 997 == 0 ? values[i] * 30 : values[i],
                    "sparse" => i % 50 == 0 ? values[i] : 0,
                    "uniform" => (float)((i * 7919 % 20_000) / 10_000.0) - 1,
                    _ => values[i],
                };
            }

            histogram.Add(values);
        }

        var searched = EntropyThreshold.Search(histogram, 128);
        int expectedHalfWidth = DirectSearch(histogram.Counts.ToArray(), 128);
        double t = expectedHalfWidth * histogram.BinWidth;
        Assert.Equal(Math.Min(histogram.Max, (float)t), searched.Max);
        Assert.Equal(Math.Max(histogram.Min, (float)-t), searched.Min);
    }

    /// <summary>The search as TensorRT describes it, each candidate's P and Q built bin by bin.</summary>
    private static int DirectSearch(long[] counts, int levels)
    {
        int middle = counts.Length / 2;
        double best = double.PositiveInfinity;
        int bestHalfWidth = middle;
        for (int halfWidth = levels / 2; halfWidth <= middle; halfWidth++)
        {
            int start = middle - halfWidth;
            int width = 2 * halfWidth;
            var p = new double[width];
            var q = new double[width];
            for (int k = 0; k < width; k++)
            {
                p[k] = counts[start + k];
            }

            p[0] += counts.Take(start).Sum();
            p[width - 1] += counts.Skip(start + width).Sum();
            int perLevel = Math.Max(1, width / levels);
            for (int g = 0; g < Math.Min(levels, width); g++)
            {
                int from = g * perLevel;
                int to = g == Math.Min(levels, width) - 1 ? width : from + perLevel;
                double own = 0;
                int nonEmpty = 0;
                for (int k = from; k < to; k++)
                {
                    own += counts[start + k];
                    nonEmpty += p[k] != 0 ? 1 : 0;
                }

                for (int k = from; k < to; k++)
                {
                    q[k] = p[k] == 0 ? 0 : own > 0 ? own / nonEmpty : 1e-4;
                }
            }

            double pTotal = p.Sum();
            double qTotal = q.Sum();
            double divergence = 0;
            for (int k = 0; k < width; k++)
            {
                if (p[k] > 0)
                {
                    divergence += p[k] / pTotal * Math.Log(p[k] / pTotal / (q[k] / qTotal));
                }
            }

            if (divergence < best - 1e-12)
            {
                (best, bestHalfWidth) = (divergence, halfWidth);
            }
        }

        return bestHalfWidth;
    }
}
