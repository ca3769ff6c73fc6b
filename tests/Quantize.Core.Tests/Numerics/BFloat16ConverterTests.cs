using CsCheck;
using Quantize.Core.Numerics;

namespace Quantize.Core.Tests.Numerics;

/// <summary>BFloat16Converter: error bound of the round trip and round-to-nearest-even at the bit level.</summary>
public class BFloat16ConverterTests
{
    private static readonly Gen<float> AnyFloat = Gen.Int.Select(BitConverter.Int32BitsToSingle);

    /// <summary>Upper 16 bits of a finite float whose successor is still finite (exponent below 0xFE or mantissa below max).</summary>
    private static readonly Gen<ushort> FiniteUpperBits = Gen.UShort.Where(u => (u & 0x7F80) != 0x7F80 && (u & 0x7FFF) != 0x7F7F);

    [Fact]
    public void Round_trip_relative_error_of_normal_values_is_at_most_2_to_the_minus_8() =>
        AnyFloat.Where(x => float.IsNormal(x) && MathF.Abs(x) < 3.38e38f).Sample(x =>
        {
            float back = BFloat16Converter.ToSingle(BFloat16Converter.ToBFloat16Bits(x));
            Assert.True(Math.Abs((double)back - x) <= Math.Abs((double)x) * Math.Pow(2, -8), $"{x} → {back}");
        });

    [Fact]
    public void Exact_halfway_values_round_to_the_even_neighbour() =>
        FiniteUpperBits.Sample(upper =>
        {
            float halfway = BitConverter.UInt32BitsToSingle(((uint)upper << 16) | 0x8000);
            ushort expected = (upper & 1) == 0 ? upper : (ushort)(upper + 1);
            Assert.Equal(expected, BFloat16Converter.ToBFloat16Bits(halfway));
        });

    [Fact]
    public void Values_off_halfway_round_to_the_nearer_neighbour() =>
        FiniteUpperBits.Select(Gen.UShort.Where(low => low != 0x8000), (upper, low) => (upper, low)).Sample((upper, low) =>
        {
            float x = BitConverter.UInt32BitsToSingle(((uint)upper << 16) | low);
            ushort expected = low < 0x8000 ? upper : (ushort)(upper + 1);
            Assert.Equal(expected, BFloat16Converter.ToBFloat16Bits(x));
        });

    [Fact]
    public void NaN_stays_NaN_and_infinities_and_signed_zeros_are_exact()
    {
        Assert.True(float.IsNaN(BFloat16Converter.ToSingle(BFloat16Converter.ToBFloat16Bits(float.NaN))));
        // A NaN whose payload sits only in the low bits must not round into infinity.
        Assert.True(float.IsNaN(BFloat16Converter.ToSingle(BFloat16Converter.ToBFloat16Bits(BitConverter.UInt32BitsToSingle(0x7F800001)))));
        Assert.Equal(0x7F80, BFloat16Converter.ToBFloat16Bits(float.PositiveInfinity));
        Assert.Equal(0xFF80, BFloat16Converter.ToBFloat16Bits(float.NegativeInfinity));
        Assert.Equal(0x0000, BFloat16Converter.ToBFloat16Bits(0f));
        Assert.Equal(0x8000, BFloat16Converter.ToBFloat16Bits(-0f));
    }

    [Fact]
    public void Values_that_are_already_bfloat16_round_trip_exactly() =>
        Gen.UShort.Where(u => (u & 0x7F80) != 0x7F80).Sample(bits =>
            Assert.Equal(bits, BFloat16Converter.ToBFloat16Bits(BFloat16Converter.ToSingle(bits))));
}
