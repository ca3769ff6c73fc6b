namespace Quantize.Core.Calibration.Statistics;

/// <summary>
/// Percentile ranges from a <see cref="StreamingHistogram"/>, interpolating linearly inside the bin where
/// the cumulative count crosses the target, so the error is well below one bin width.
/// </summary>
internal static class PercentileThreshold
{
    /// <summary>
    /// Symmetric: t = the <paramref name="percentile"/> of |x|; the range is [−t, t] cut to the observed
    /// [min, max] (so a non-negative tensor gets [0, t], not a half-empty symmetric range).
    /// </summary>
    public static TensorRange Symmetric(StreamingHistogram histogram, double percentile)
    {
        var counts = histogram.Counts;
        int half = counts.Length / 2;
        var magnitudes = new long[half];
        for (int j = 0; j < half; j++)
        {
            // |x| bin j gathers the signed bins just above and just below zero, j steps out.
            magnitudes[j] = counts[half + j] + counts[half - 1 - j];
        }

        double t = Quantile(magnitudes, histogram.Total, percentile / 100) * histogram.BinWidth;
        return new TensorRange(Math.Max(histogram.Min, (float)-t), Math.Min(histogram.Max, (float)t));
    }

    /// <summary>Per side: [the (100 − p)th percentile, the p-th percentile] of the signed values.</summary>
    public static TensorRange PerSide(StreamingHistogram histogram, double percentile)
    {
        double low = -histogram.HalfRange + (Quantile(histogram.Counts, histogram.Total, 1 - (percentile / 100)) * histogram.BinWidth);
        double high = -histogram.HalfRange + (Quantile(histogram.Counts, histogram.Total, percentile / 100) * histogram.BinWidth);
        return new TensorRange(Math.Max(histogram.Min, (float)low), Math.Min(histogram.Max, (float)high));
    }

    /// <summary>The position, in bins from the first edge, below which a <paramref name="fraction"/> of the counts lie.</summary>
    private static double Quantile(ReadOnlySpan<long> counts, long total, double fraction)
    {
        double target = fraction * total;
        double cumulative = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0 && cumulative + counts[i] >= target)
            {
                return i + Math.Clamp((target - cumulative) / counts[i], 0, 1);
            }

            cumulative += counts[i];
        }

        return counts.Length;
    }
}
