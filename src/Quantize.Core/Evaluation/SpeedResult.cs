namespace Quantize.Core.Evaluation;

/// <summary>Median latency of the float and the quantized model, measured interleaved in one process on this machine's CPU provider.</summary>
/// <param name="FloatMedianMs">Median milliseconds per run of the float model.</param>
/// <param name="QuantizedMedianMs">Median milliseconds per run of the quantized model.</param>
/// <param name="Runs">Timed runs of each model (after warm-up).</param>
public sealed record SpeedResult(double FloatMedianMs, double QuantizedMedianMs, int Runs)
{
    /// <summary>Float latency over quantized latency: above 1 means the quantized model is faster.</summary>
    public double Speedup => QuantizedMedianMs <= 0 ? double.PositiveInfinity : FloatMedianMs / QuantizedMedianMs;

    /// <summary>
    /// The measurement's noise: a 95 % distribution-free interval for the median of the per-round speedups
    /// (float time over quantized time of the same interleaved round), null when the runs were not paired.
    /// </summary>
    public SpeedupInterval? Interval { get; init; }

    /// <summary>Slower than float beyond the noise: the whole interval below 1 (the median alone without one).</summary>
    public bool IsClearlySlower => Interval is { } interval ? interval.High < 1 : Speedup < 1;

    /// <summary>
    /// The result of paired runs (index i of both lists is one interleaved round): both medians and the interval.
    /// The lists are not changed.
    /// </summary>
    public static SpeedResult FromPairedRuns(IReadOnlyList<double> floatMs, IReadOnlyList<double> quantizedMs)
    {
        ArgumentNullException.ThrowIfNull(floatMs);
        ArgumentNullException.ThrowIfNull(quantizedMs);
        if (floatMs.Count == 0 || floatMs.Count != quantizedMs.Count)
        {
            throw new ArgumentException("Paired runs need the same, non-zero number of float and quantized times.", nameof(quantizedMs));
        }

        return new SpeedResult(Median(floatMs), Median(quantizedMs), floatMs.Count) { Interval = PairedInterval(floatMs, quantizedMs) };
    }

    /// <summary>
    /// The interval from the paired run times (index i of both lists is one round): the order statistics
    /// r(k+1) and r(n−k) of the n sorted ratios, k = ⌊(n − 1.96·√n) / 2⌋, the sign-test interval for a median.
    /// </summary>
    public static SpeedupInterval? PairedInterval(IReadOnlyList<double> floatMs, IReadOnlyList<double> quantizedMs)
    {
        ArgumentNullException.ThrowIfNull(floatMs);
        ArgumentNullException.ThrowIfNull(quantizedMs);
        int n = Math.Min(floatMs.Count, quantizedMs.Count);
        if (n == 0)
        {
            return null;
        }

        var ratios = new double[n];
        for (int i = 0; i < n; i++)
        {
            ratios[i] = quantizedMs[i] <= 0 ? double.PositiveInfinity : floatMs[i] / quantizedMs[i];
        }

        Array.Sort(ratios);
        int k = Math.Max(0, (int)Math.Floor((n - (1.96 * Math.Sqrt(n))) / 2));
        return new SpeedupInterval(ratios[k], ratios[n - 1 - k]);
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}

/// <summary>Lower and upper bound of a speedup interval.</summary>
/// <param name="Low">The lower bound.</param>
/// <param name="High">The upper bound.</param>
public sealed record SpeedupInterval(double Low, double High);
