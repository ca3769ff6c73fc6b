using CsCheck;
using Quantize.Core.Numerics;

namespace Quantize.Core.Tests.Numerics;

/// <summary>Properties of q = clamp(round_half_even(x / scale) + zp, qmin, qmax) and x' = (q − zp)·scale.</summary>
public class LinearQuantizerTests
{
    /// <summary>(rmin, rmax, qmin, qmax, symmetric) drawn from the integer ranges the engine uses.</summary>
    private static readonly Gen<(QuantizationParameters P, int QMin, int QMax)> Parameters =
        Gen.Select(Gen.Float[-1000f, 0f], Gen.Float[0f, 1000f], Gen.Int[0, 3], Gen.Bool)
            .Where(t => t.Item2 - t.Item1 > 1e-6f)
            .Select(t =>
            {
                var (qmin, qmax) = t.Item3 switch
                {
                    0 => IntegerRange.Int8Symmetric,
                    1 => IntegerRange.Int8,
                    2 => IntegerRange.UInt8,
                    _ => IntegerRange.UInt8Symmetric,
                };
                return (QuantizationParameters.FromRange(t.Item1, t.Item2, qmin, qmax, t.Item4), qmin, qmax);
            });

    [Fact]
    public void Round_trip_error_inside_the_range_is_at_most_half_a_step()
    {
        Gen.Select(Parameters, Gen.Double[0, 1]).Sample(t =>
        {
            var ((p, qmin, qmax), fraction) = t;
            // A point of the representable range [(qmin − zp)·s, (qmax − zp)·s].
            double low = (qmin - p.ZeroPoint) * (double)p.Scale;
            double high = (qmax - p.ZeroPoint) * (double)p.Scale;
            float x = (float)(low + ((high - low) * fraction));

            float back = LinearQuantizer.Dequantize(LinearQuantizer.Quantize(x, p, qmin, qmax), p);

            // Half a step, plus float32 rounding of x / scale and of the product (a few ulps of the range).
            double slack = Math.Max(Math.Abs(low), Math.Abs(high)) * 1e-6;
            return Math.Abs(back - x) <= (p.Scale / 2.0) + slack;
        });
    }

    [Fact]
    public void Quantized_values_always_lie_in_the_integer_range()
    {
        Gen.Select(Parameters, Gen.Float[-1e6f, 1e6f]).Sample(t =>
        {
            var ((p, qmin, qmax), x) = t;
            int q = LinearQuantizer.Quantize(x, p, qmin, qmax);
            return q >= qmin && q <= qmax;
        });
    }

    [Fact]
    public void The_int8_vector_path_equals_the_scalar_definition()
    {
        Gen.Select(Parameters, Gen.Float[-2000f, 2000f].Array[0, 9000]).Sample(t =>
        {
            var ((p, _, _), values) = t;
            var (qmin, qmax) = (-127, 127);
            var vector = new sbyte[values.Length];
            LinearQuantizer.QuantizeToInt8(values, p, qmin, qmax, vector);
            return values.Select((v, i) => LinearQuantizer.Quantize(v, p, qmin, qmax) == vector[i]).All(b => b);
        }, iter: 200);
    }

    [Fact]
    public void The_uint8_vector_path_equals_the_scalar_definition()
    {
        Gen.Select(Parameters, Gen.Float[-2000f, 2000f].Array[0, 9000]).Sample(t =>
        {
            var ((p, _, _), values) = t;
            var vector = new byte[values.Length];
            LinearQuantizer.QuantizeToUInt8(values, p, 0, 255, vector);
            return values.Select((v, i) => LinearQuantizer.Quantize(v, p, 0, 255) == vector[i]).All(b => b);
        }, iter: 200);
    }

    [Theory]
    [InlineData(0.5f, 0)]
    [InlineData(1.5f, 2)]
    [InlineData(2.5f, 2)]
    [InlineData(-0.5f, 0)]
    [InlineData(-1.5f, -2)]
    [InlineData(126.5f, 126)]
    [InlineData(300f, 127)]
    [InlineData(-300f, -127)]
    public void Ties_round_to_even_and_values_saturate(float x, int expected) =>
        Assert.Equal(expected, LinearQuantizer.Quantize(x, new QuantizationParameters(1f, 0), -127, 127));

    [Fact]
    public void Quantizing_divides_by_the_scale_rather_than_multiplying_by_its_reciprocal()
    {
        // In float32, 0.375 / 0.03 is exactly 12.5 (a tie, rounds to even 12), while 0.375 × (1 / 0.03) is
        // 12.500001 and would round to 13. ONNX Runtime divides.
        Assert.Equal(12, LinearQuantizer.Quantize(0.375f, new QuantizationParameters(0.03f, 0), -127, 127));
    }
}
