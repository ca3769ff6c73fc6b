namespace Quantize.Core.Numerics;

/// <summary>A scale and zero point for linear quantization: x ≈ (q − zeroPoint) × scale.</summary>
/// <param name="Scale">The step between adjacent integer levels, as stored in the model (float32).</param>
/// <param name="ZeroPoint">The integer that represents real zero exactly.</param>
public readonly record struct QuantizationParameters(float Scale, int ZeroPoint)
{
    /// <summary>The smallest positive normal float32 (2^-126); smaller scales are treated as a zero range.</summary>
    public const double SmallestNormalFloat = 1.1754943508222875e-38;

    /// <summary>
    /// Computes scale and zero point from a real range the way ONNX Runtime's quantizer does
    /// (docs/numerics.md "Scale and zero point from a range"): the range is widened to include zero,
    /// made symmetric on request, and the scale is computed in double.
    /// </summary>
    public static QuantizationParameters FromRange(double rmin, double rmax, int qmin, int qmax, bool symmetric)
    {
        if (qmin >= qmax)
        {
            throw new ArgumentOutOfRangeException(nameof(qmin), $"qmin ({qmin}) must be below qmax ({qmax}).");
        }

        rmin = Math.Min(rmin, 0);
        rmax = Math.Max(rmax, 0);
        if (symmetric)
        {
            double absMax = Math.Max(Math.Abs(rmin), Math.Abs(rmax));
            rmin = -absMax;
            rmax = absMax;
        }

        double scale = (rmax - rmin) / (qmax - qmin);
        if (scale < SmallestNormalFloat)
        {
            return new QuantizationParameters(1f, 0);
        }

        int zeroPoint = symmetric
            ? (int)Math.Round((qmin + qmax) / 2.0, MidpointRounding.ToEven)
            : (int)Math.Round(qmin - (rmin / scale), MidpointRounding.ToEven);
        return new QuantizationParameters((float)scale, zeroPoint);
    }
}

/// <summary>The integer ranges of docs/numerics.md.</summary>
public static class IntegerRange
{
    /// <summary>int8 symmetric: ±127 (−128 unused so that the range is symmetric).</summary>
    public static (int Min, int Max) Int8Symmetric => (-127, 127);

    /// <summary>int8 asymmetric: the full range.</summary>
    public static (int Min, int Max) Int8 => (-128, 127);

    /// <summary>uint8: the full range.</summary>
    public static (int Min, int Max) UInt8 => (0, 255);

    /// <summary>uint8 symmetric: 0..254 so that 127 is the exact middle.</summary>
    public static (int Min, int Max) UInt8Symmetric => (0, 254);
}
