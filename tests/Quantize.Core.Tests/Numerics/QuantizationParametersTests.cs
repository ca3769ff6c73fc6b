using Quantize.Core.Numerics;

namespace Quantize.Core.Tests.Numerics;

/// <summary>docs/numerics.md "Scale and zero point from a range": every golden row (ONNX Runtime's quantizer values).</summary>
public class QuantizationParametersTests
{
    public static TheoryData<double, double, int, int, bool, int, double> GoldenCases => new()
    {
        // rmin, rmax, qmin, qmax, symmetric → zero point, scale
        { 0, 0, -127, 127, true, 0, 1.0 },
        { -1, 2, -127, 127, true, 0, 2.0 / 127 },
        { -1, 2, -127, 127, false, -42, 3.0 / 254 },
        { -1, 2, 0, 255, true, 128, 4.0 / 255 },
        { -1, 2, 0, 255, false, 85, 3.0 / 255 },
        { -1e-39, 1e-39, -127, 127, true, 0, 1.0 },
        { 1e-39, 1e-39, -127, 127, true, 0, 1.0 },
        { -1e-39, -1e-39, -127, 127, true, 0, 1.0 },
        { -1e-39, 0, 0, 255, false, 0, 1.0 },
    };

    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void FromRange_matches_the_reference_table(double rmin, double rmax, int qmin, int qmax, bool symmetric, int zeroPoint, double scale)
    {
        var p = QuantizationParameters.FromRange(rmin, rmax, qmin, qmax, symmetric);

        Assert.Equal(zeroPoint, p.ZeroPoint);
        Assert.Equal((float)scale, p.Scale);
    }

    public static TheoryData<int, int, bool, double> MinimumRangeCases => new()
    {
        // qmin, qmax, symmetric → scale (zero point 0 in every case)
        { 0, 255, false, 1e-4 / 255 },
        { -128, 127, true, 2e-4 / 255 },
        { 0, 65535, false, 1e-4 / 65535 },
        { -32768, 32767, true, 2e-4 / 65535 },
    };

    /// <summary>
    /// A minimum real range is the caller's job (FromRange has no such parameter): widen (0, 0) to
    /// rmax = max(rmax, rmin + 1e-4), then compute as usual.
    /// </summary>
    [Theory]
    [MemberData(nameof(MinimumRangeCases))]
    public void A_caller_enforced_minimum_range_of_1e_4_gives_the_reference_scale(int qmin, int qmax, bool symmetric, double scale)
    {
        double rmin = 0, rmax = 0;
        rmax = Math.Max(rmax, rmin + 1e-4);

        var p = QuantizationParameters.FromRange(rmin, rmax, qmin, qmax, symmetric);

        Assert.Equal(0, p.ZeroPoint);
        Assert.Equal((float)scale, p.Scale);
    }

    [Fact]
    public void The_range_is_widened_to_include_zero()
    {
        var positiveOnly = QuantizationParameters.FromRange(1, 2, 0, 255, symmetric: false);

        Assert.Equal(0, positiveOnly.ZeroPoint);
        Assert.Equal((float)(2.0 / 255), positiveOnly.Scale);
    }

    [Fact]
    public void An_empty_integer_range_is_rejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantizationParameters.FromRange(-1, 1, 5, 5, symmetric: true));
}
