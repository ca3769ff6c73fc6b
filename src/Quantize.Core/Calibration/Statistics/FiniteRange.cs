using System.Numerics.Tensors;

namespace Quantize.Core.Calibration.Statistics;

/// <summary>SIMD min and max of a span, ignoring NaN and ±infinity (which would poison every range).</summary>
internal static class FiniteRange
{
    /// <summary>Min and max of the finite values; null when there are none.</summary>
    public static (float Min, float Max)? Of(ReadOnlySpan<float> values) => Of(values, out _);

    /// <summary>Min and max of the finite values, and whether every value is finite; null when none is.</summary>
    public static (float Min, float Max)? Of(ReadOnlySpan<float> values, out bool allFinite)
    {
        allFinite = true;
        if (values.IsEmpty)
        {
            return null;
        }

        float min = TensorPrimitives.Min(values);
        float max = TensorPrimitives.Max(values);
        if (float.IsFinite(min) && float.IsFinite(max))
        {
            return (min, max);
        }

        allFinite = false;

        // Rare path: a NaN or an infinity is present (TensorPrimitives propagates NaN).
        float lo = float.PositiveInfinity;
        float hi = float.NegativeInfinity;
        foreach (var v in values)
        {
            if (float.IsFinite(v))
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }

        return lo <= hi ? (lo, hi) : null;
    }
}
