namespace Quantize.Core.Calibration.Statistics;

/// <summary>
/// The KL-divergence threshold search of TensorRT's entropy calibration (also ONNX Runtime's "Entropy"):
/// for each candidate symmetric window of the fine histogram, the reference distribution P is the window
/// with everything outside added to its edge bins (clipping), and Q is the window squeezed into the
/// quantized levels and expanded back over P's non-empty bins. The window with the least KL(P‖Q) wins.
/// ORT's defaults (128 bins, 128 levels) leave one candidate, the full range, i.e. MinMax; with a fine
/// histogram (2048 bins) and 128 levels there are ~1000 candidates, a real search.
/// </summary>
internal static class EntropyThreshold
{
    /// <summary>Smoothing added to empty bins so KL stays finite (ORT uses the same 1e-4 in counts).</summary>
    private const double Epsilon = 1e-4;

    /// <summary>The calibrated range: [−t, t] at the best window, cut to the observed [min, max].</summary>
    public static TensorRange Search(StreamingHistogram histogram, int levels)
    {
        var counts = histogram.Counts;
        int bins = counts.Length;
        int middle = bins / 2;
        var prefix = new double[bins + 1];
        for (int i = 0; i < bins; i++)
        {
            prefix[i + 1] = prefix[i] + counts[i];
        }

        var p = new double[bins];
        var q = new double[bins];
        double bestDivergence = double.PositiveInfinity;
        int bestHalfWidth = middle;
        for (int halfWidth = Math.Max(1, levels / 2); halfWidth <= middle; halfWidth++)
        {
            double divergence = Divergence(counts, prefix, middle - halfWidth, middle + halfWidth, levels, p, q);
            if (divergence < bestDivergence)
            {
                (bestDivergence, bestHalfWidth) = (divergence, halfWidth);
            }
        }

        double t = bestHalfWidth * histogram.BinWidth;
        return new TensorRange(Math.Max(histogram.Min, (float)-t), Math.Min(histogram.Max, (float)t));
    }

    /// <summary>KL(P‖Q) for the window [start, end) of the histogram, using <paramref name="p"/> and <paramref name="q"/> as scratch.</summary>
    private static double Divergence(ReadOnlySpan<long> counts, double[] prefix, int start, int end, int levels, double[] p, double[] q)
    {
        int width = end - start;
        for (int k = 0; k < width; k++)
        {
            p[k] = counts[start + k];
        }

        // Clipping: values beyond the window saturate at its edges.
        p[0] += prefix[start];
        p[width - 1] += prefix[counts.Length] - prefix[end];

        // Q: the window's own counts (without the clipped mass) merged into `levels` groups, each spread
        // evenly over the group's bins where P is non-empty; the last group takes the remainder bins.
        int perLevel = Math.Max(1, width / levels);
        int groups = Math.Min(levels, width);
        for (int g = 0; g < groups; g++)
        {
            int from = g * perLevel;
            int to = g == groups - 1 ? width : from + perLevel;
            double mass = prefix[start + to] - prefix[start + from];
            int nonEmpty = 0;
            for (int k = from; k < to; k++)
            {
                nonEmpty += p[k] != 0 ? 1 : 0;
            }

            double share = nonEmpty == 0 ? 0 : mass / nonEmpty;
            for (int k = from; k < to; k++)
            {
                q[k] = p[k] != 0 ? share : 0;
            }
        }

        double pTotal = 0;
        double qTotal = 0;
        for (int k = 0; k < width; k++)
        {
            q[k] = q[k] == 0 && p[k] != 0 ? Epsilon : q[k];
            pTotal += p[k];
            qTotal += q[k];
        }

        if (pTotal == 0 || qTotal == 0)
        {
            return double.PositiveInfinity;
        }

        double divergence = 0;
        for (int k = 0; k < width; k++)
        {
            if (p[k] > 0)
            {
                double pk = p[k] / pTotal;
                divergence += pk * Math.Log(pk / (q[k] / qTotal));
            }
        }

        return divergence;
    }
}
