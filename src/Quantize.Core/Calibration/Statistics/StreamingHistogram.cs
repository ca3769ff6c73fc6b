using System.Numerics.Tensors;

namespace Quantize.Core.Calibration.Statistics;

/// <summary>
/// A fine histogram over a symmetric range [−R, R] that grows as larger values arrive, without keeping
/// any values. R only ever doubles (R ← R·2^k), and because the bin count is even, every old bin then lies
/// inside exactly one new bin: growing merges 2^k neighbours and loses no count and no order. The first
/// sample fixes the starting R (its largest magnitude), so resolution is at worst half of a histogram
/// sized for the final maximum. Memory is the bins alone, whatever the number of samples.
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

    /// <summary>Bin counts; bin i covers [−R + i·w, −R + (i+1)·w) with w = 2R / bins (the last includes R).</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Half the covered range (0 while only zeros were seen).</summary>
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
        float scale = (float)(bins / (2 * HalfRange));
        float offset = bins / 2f;
        for (int start = 0; start < values.Length; start += Chunk)
        {
            var chunk = values.Slice(start, Math.Min(Chunk, values.Length - start));
            var scaled = _scaled.AsSpan(0, chunk.Length);
            var indexes = _indexes.AsSpan(0, chunk.Length);
            // index = floor((x + R) · bins / 2R) = trunc(x·scale + bins/2) for x ≥ −R; clamp catches x = R and rounding.
            TensorPrimitives.Multiply(chunk, scale, scaled);
            TensorPrimitives.Add(scaled, offset, scaled);
            TensorPrimitives.ConvertTruncating(scaled, indexes);
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

    /// <summary>Widens the range (by powers of two) until it covers ±<paramref name="magnitude"/>.</summary>
    private void Grow(float magnitude)
    {
        if (magnitude <= HalfRange)
        {
            return;
        }

        int bins = _counts.Length;
        if (HalfRange == 0)
        {
            HalfRange = magnitude;
            _counts[bins / 2] += _zerosBeforeRange;
            _zerosBeforeRange = 0;
            return;
        }

        int doublings = 0;
        double range = HalfRange;
        while (range < magnitude)
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
}
