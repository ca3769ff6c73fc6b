namespace Quantize.Core.Numerics;

/// <summary>
/// float32 → bfloat16 (the upper 16 bits of a float32) with round-to-nearest-even; NaN stays a quiet NaN.
/// bfloat16 has float32's exponent range, so no range clamping is needed.
/// </summary>
public static class BFloat16Converter
{
    /// <summary>Converts one value to its bfloat16 bit pattern.</summary>
    public static ushort ToBFloat16Bits(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    /// <summary>Converts a bfloat16 bit pattern back to float32 (exact).</summary>
    public static float ToSingle(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Converts a span of floats.</summary>
    public static void ToBFloat16(ReadOnlySpan<float> values, Span<ushort> destination)
    {
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = ToBFloat16Bits(values[i]);
        }
    }
}
