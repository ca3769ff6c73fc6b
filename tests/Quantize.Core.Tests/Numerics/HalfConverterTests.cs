using CsCheck;
using Quantize.Core.Numerics;

namespace Quantize.Core.Tests.Numerics;

/// <summary>HalfConverter against docs/numerics.md "FP16 conversion", checked over random float bit patterns.</summary>
public class HalfConverterTests
{
    private const ushort SmallestSubnormalBits = 0x0001; // 2^-24
    private const ushort LargestFiniteBits = 0x7BFF;     // 65504

    /// <summary>Every float32 bit pattern is equally likely: subnormals, huge values, NaNs and infinities all occur.</summary>
    private static readonly Gen<float> AnyFloat = Gen.Int.Select(BitConverter.Int32BitsToSingle);

    /// <summary>Floats whose magnitude's bit pattern lies in [low, high], with either sign.</summary>
    private static Gen<float> Magnitudes(int low, int high) =>
        Gen.Int[low, high].Select(Gen.Bool, (bits, negative) => BitConverter.Int32BitsToSingle(negative ? bits | int.MinValue : bits));

    [Theory]
    [InlineData(1e-9f, SmallestSubnormalBits)]
    [InlineData(-1e-9f, 0x8000 | SmallestSubnormalBits)]
    [InlineData(float.Epsilon, SmallestSubnormalBits)]
    [InlineData(65504.5f, LargestFiniteBits)]
    [InlineData(-1e10f, 0x8000 | LargestFiniteBits)]
    [InlineData(float.MaxValue, LargestFiniteBits)]
    [InlineData(float.PositiveInfinity, 0x7C00)]
    [InlineData(float.NegativeInfinity, 0xFC00)]
    [InlineData(0f, 0x0000)]
    [InlineData(-0f, 0x8000)]
    [InlineData(1f, 0x3C00)]
    [InlineData(65504f, LargestFiniteBits)]
    public void Reference_cases_convert_to_the_expected_bits(float value, int expectedBits) =>
        Assert.Equal((ushort)expectedBits, BitConverter.HalfToUInt16Bits(HalfConverter.ToHalf(value)));

    [Fact]
    public void Tiny_nonzero_values_become_the_smallest_subnormal_with_their_sign() =>
        Magnitudes(0x00000001, 0x337FFFFF).Sample(x => // float.Epsilon up to just below 2^-24
        {
            var bits = BitConverter.HalfToUInt16Bits(HalfConverter.ToHalf(x));
            Assert.Equal(x < 0 ? 0x8001 : 0x0001, bits);
        });

    [Fact]
    public void Finite_values_beyond_the_range_saturate_to_65504_with_their_sign() =>
        Magnitudes(0x477FE001, 0x7F7FFFFF).Sample(x => // just above 65504 up to float.MaxValue
            Assert.Equal(x < 0 ? -65504f : 65504f, (float)HalfConverter.ToHalf(x)));

    [Fact]
    public void NaN_and_infinities_are_kept() =>
        Magnitudes(0x7F800000, 0x7FFFFFFF).Sample(x => // exponent all ones: ±infinity and every NaN payload (zeros: see the cases above)
        {
            var h = HalfConverter.ToHalf(x);
            if (float.IsNaN(x))
            {
                Assert.True(Half.IsNaN(h));
            }
            else
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(x) < 0, Half.IsNegative(h));
                Assert.Equal(x, (float)h);
            }
        });

    /// <summary>
    /// Inside the range the result is the nearest float16 (checked against both neighbours, not against a
    /// converter), and an exact tie goes to the even significand; it also equals .NET's (Half) cast.
    /// </summary>
    [Fact]
    public void In_range_values_round_to_nearest_even() =>
        Magnitudes(0x33800000, 0x477FE000).Sample(x => // 2^-24 up to 65504
        {
            var h = HalfConverter.ToHalf(x);
            Assert.Equal((Half)x, h);
            double error = Math.Abs((double)(float)h - x);
            foreach (var neighbour in new[] { Half.BitIncrement(h), Half.BitDecrement(h) })
            {
                if (Half.IsFinite(neighbour))
                {
                    double other = Math.Abs((double)(float)neighbour - x);
                    Assert.True(error <= other, $"{x}: {h} is farther than {neighbour}");
                    if (error == other)
                    {
                        Assert.Equal(0, BitConverter.HalfToUInt16Bits(h) & 1);
                    }
                }
            }
        });

    [Fact]
    public void Clamping_then_casting_is_what_ToHalf_does_for_every_float() =>
        AnyFloat.Where(x => !float.IsNaN(x)).Sample(x =>
            Assert.Equal(BitConverter.HalfToUInt16Bits((Half)HalfConverter.Clamp(x)), BitConverter.HalfToUInt16Bits(HalfConverter.ToHalf(x))));

    [Fact]
    public void The_span_conversion_agrees_with_the_scalar_one() =>
        AnyFloat.Array[0, 20000].Sample(values =>
        {
            var bits = new ushort[values.Length];
            HalfConverter.ToHalf(values, bits);
            for (int i = 0; i < values.Length; i++)
            {
                var expected = HalfConverter.ToHalf(values[i]);
                Assert.True(Half.IsNaN(expected) ? Half.IsNaN(BitConverter.UInt16BitsToHalf(bits[i])) : bits[i] == BitConverter.HalfToUInt16Bits(expected), $"element {i}: {values[i]}");
            }
        }, iter: 20);
}
