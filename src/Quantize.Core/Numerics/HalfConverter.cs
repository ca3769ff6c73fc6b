using System.Numerics;
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
            Clamp(values.Slice(start, count), chunk);

            TensorPrimitives.ConvertToHalf(chunk, halves.Slice(start, count));
        }
    }

    /// <summary>
    /// <see cref="Clamp(float)"/> over a span, a vector at a time (a 6 GB model has 1.5 billion values; one at a time,
    /// this was most of FP16's time). The same rules: magnitudes in (0, <see cref="MinPositive"/>) become ±MinPositive,
    /// finite ones past <see cref="MaxFinite"/> ±MaxFinite, everything else (zeros, infinities, NaN) passes through.
    /// </summary>
    private static void Clamp(ReadOnlySpan<float> source, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var tinyMagnitude = new Vector<float>(MinPositive);
            var largestMagnitude = new Vector<float>(MaxFinite);
            var infinity = new Vector<float>(float.PositiveInfinity);
            var signBit = new Vector<uint>(0x8000_0000u);
            for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var value = new Vector<float>(source[i..]);
                var magnitude = Vector.Abs(value);
                var sign = Vector.AsVectorUInt32(value) & signBit;
                var tiny = Vector.LessThan(magnitude, tinyMagnitude) & Vector.GreaterThan(magnitude, Vector<float>.Zero);
                var large = Vector.GreaterThan(magnitude, largestMagnitude) & Vector.LessThan(magnitude, infinity);
                var result = Vector.ConditionalSelect(tiny, Vector.AsVectorSingle(Vector.AsVectorUInt32(tinyMagnitude) | sign), value);
                Vector.ConditionalSelect(large, Vector.AsVectorSingle(Vector.AsVectorUInt32(largestMagnitude) | sign), result).CopyTo(destination[i..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = Clamp(source[i]);
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
