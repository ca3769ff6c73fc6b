using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Quantize.Core.Numerics;

/// <summary>
/// float32 → float16 conversion with the range handling of docs/numerics.md "FP16 conversion": tiny
/// non-zero values become the smallest fp16 subnormal instead of flushing to zero, finite values beyond
/// the fp16 range saturate to ±65504 instead of becoming infinity, NaN/0/±inf are kept, and the result is
/// rounded to nearest even.
/// </summary>
public static class HalfConverter
{
    /// <summary>The smallest positive fp16 subnormal, 2^-24 ≈ 5.96e-8.</summary>
    public const float MinPositive = 5.96046448e-8f;

    /// <summary>The largest finite fp16 value.</summary>
    public const float MaxFinite = 65504f;

    /// <summary>Converts one value.</summary>
    public static Half ToHalf(float value) => (Half)Clamp(value);

    /// <summary>Converts a span, writing IEEE binary16 bit patterns.</summary>
    public static void ToHalf(ReadOnlySpan<float> values, Span<ushort> destination)
    {
        var halves = MemoryMarshal.Cast<ushort, Half>(destination);
        var scratch = new float[Math.Min(values.Length, 8192)];
        for (int start = 0; start < values.Length; start += scratch.Length)
        {
            int count = Math.Min(scratch.Length, values.Length - start);
            var chunk = scratch.AsSpan(0, count);
            var source = values.Slice(start, count);
            for (int i = 0; i < count; i++)
            {
                chunk[i] = Clamp(source[i]);
            }

            TensorPrimitives.ConvertToHalf(chunk, halves.Slice(start, count));
        }
    }

    /// <summary>Applies the fp16 range rules to one float before rounding.</summary>
    public static float Clamp(float value)
    {
        float magnitude = MathF.Abs(value);
        if (magnitude < MinPositive && magnitude > 0)
        {
            return MathF.CopySign(MinPositive, value);
        }

        if (magnitude > MaxFinite && float.IsFinite(value))
        {
            return MathF.CopySign(MaxFinite, value);
        }

        return value;
    }
}
