using System.Numerics.Tensors;

namespace Quantize.Core.Calibration.Statistics;

/// <summary>
/// A fine histogram over a symmetric range [−R, R) that grows as larger values arrive, without keeping
/// any values. R is always a power of two, the smallest one strictly above every magnitude seen, so it
/// depends only on the set of values, never on how they were split into samples or batches. Growing
/// doubles R (R ← R·2^k); because the bin count is even, every old bin then lies inside exactly one new bin,
/// and because a value's bin is floor(x·bins/2R) computed exactly (x times a power of two, then floor), a
/// value binned at R and merged lands where it would have landed binned at 2^k·R directly. So the final
/// counts are identical whatever the order and batching of the values. Resolution is at worst half of a
/// histogram sized for the exact maximum. Memory is the bins alone, whatever the number of samples.
/// </summary>
internal sealed class StreamingHistogram
{
    private const int Chunk = 4096;
    private readonly long[] _counts;
    private readonly float[] _scaled = new float[Chunk];
    private readonly int[] _indexes = new int[Chunk];
    private long _zerosBeforeRange;

    /// <summary>Creates an empty histogram of <paramref name="bins"/> bins (even, ≥ 2).</summary>
    public StreamingHistogram(int bins)
    {
        if (bins < 2 || bins % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bins), bins, "The bin count must be even and at least 2.");
        }

        _counts = new long[bins];
    }

    /// <summary>Bin counts; bin i covers [−R + i·w, −R + (i+1)·w) with w = 2R / bins.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Half the covered range, a power of two (0 while only zeros were seen).</summary>
    public double HalfRange { get; private set; }

    /// <summary>Width of one bin.</summary>
    public double BinWidth => 2 * HalfRange / _counts.Length;

    /// <summary>Values counted.</summary>
    public long Total { get; private set; }

    /// <summary>Smallest finite value seen.</summary>
    public float Min { get; private set; } = float.PositiveInfinity;

    /// <summary>Largest finite value seen.</summary>
    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Counts <paramref name="values"/> (non-finite values are skipped).</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        if (FiniteRange.Of(values, out bool allFinite) is not var (min, max))
        {
            return;
        }

        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
        Grow(Math.Max(Math.Abs(min), Math.Abs(max)));
        if (HalfRange == 0)
        {
            // Only zeros so far: they are placed once a range exists.
            long zeros = allFinite ? values.Length : CountFinite(values);
            _zerosBeforeRange += zeros;
            Total += zeros;
            return;
        }

        int bins = _counts.Length;
        // bins / 2R is bins times a power of two, exact in float; so is x times it (barring underflow of
        // tiny values, which stay in the middle bins), and floor of an exact product is exact.
        float scale = (float)(bins / (2 * HalfRange));
        int offset = bins / 2;
        for (int start = 0; start < values.Length; start += Chunk)
        {
            var chunk = values.Slice(start, Math.Min(Chunk, values.Length - start));
            var scaled = _scaled.AsSpan(0, chunk.Length);
            var indexes = _indexes.AsSpan(0, chunk.Length);
            // index = floor(x·bins/2R) + bins/2, in [0, bins) since |x| < R; the clamp only guards NaN/∞ lanes.
            TensorPrimitives.Multiply(chunk, scale, scaled);
            TensorPrimitives.Floor(scaled, scaled);
            TensorPrimitives.ConvertTruncating(scaled, indexes);
            TensorPrimitives.Add(indexes, offset, indexes);
            TensorPrimitives.Clamp(indexes, 0, bins - 1, indexes);
            if (allFinite)
            {
                foreach (int index in indexes)
                {
                    _counts[index]++;
                }

                Total += indexes.Length;
                continue;
            }

            for (int i = 0; i < indexes.Length; i++)
            {
                if (float.IsFinite(chunk[i]))
                {
                    _counts[indexes[i]]++;
                    Total++;
                }
            }
        }
    }

    private static long CountFinite(ReadOnlySpan<float> values)
    {
        long count = 0;
        foreach (var v in values)
        {
            count += float.IsFinite(v) ? 1 : 0;
        }

        return count;
    }

    /// <summary>Widens the range (by powers of two) until it strictly exceeds <paramref name="magnitude"/>.</summary>
    private void Grow(float magnitude)
    {
        if (magnitude < HalfRange || magnitude == 0)
        {
            return;
        }

        int bins = _counts.Length;
        if (HalfRange == 0)
        {
            HalfRange = PowerOfTwoAbove(magnitude);
            _counts[bins / 2] += _zerosBeforeRange;
            _zerosBeforeRange = 0;
            return;
        }

        int doublings = 0;
        double range = HalfRange;
        while (range <= magnitude)
        {
            range *= 2;
            doublings++;
        }

        // Old bin i sits in new bin bins/2 + floor((i − bins/2) / 2^k); beyond 2^k = bins every old bin lands
        // in one of the two middle bins, so the factor is capped there (and cannot overflow).
        long factor = doublings >= 30 ? bins : Math.Min(1L << doublings, bins);
        var merged = new long[bins];
        for (int i = 0; i < bins; i++)
        {
            merged[(bins / 2) + (int)Math.Floor((i - (bins / 2)) / (double)factor)] += _counts[i];
        }

        merged.CopyTo(_counts, 0);
        HalfRange = range;
    }

    /// <summary>The smallest power of two strictly greater than <paramref name="magnitude"/> (&gt; 0, finite).</summary>
    private static double PowerOfTwoAbove(float magnitude)
    {
        // 2^(floor(log2 m) + 1): ILogB is exact for every finite float, subnormals included.
        return Math.ScaleB(1.0, MathF.ILogB(magnitude) + 1);
    }
}
