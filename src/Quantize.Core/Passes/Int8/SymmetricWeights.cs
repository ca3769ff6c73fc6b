using System.Numerics.Tensors;
using Quantize.Core.Numerics;

namespace Quantize.Core.Passes.Int8;

/// <summary>A weight matrix stored as int8 with one scale per tensor or one per column (zero points are all 0).</summary>
/// <param name="Values">Row-major int8 values, same shape as the float matrix.</param>
/// <param name="Scales">One scale (per tensor) or one per column.</param>
internal sealed record QuantizedMatrix(sbyte[] Values, float[] Scales)
{
    /// <summary>True when there is one scale per column.</summary>
    public bool PerColumn => Scales.Length > 1;
}

/// <summary>
/// Symmetric int8 weight quantization (REFERENCE.md: ±127, zero point 0). Symmetric weights are what the
/// u8×s8 integer GEMM kernels expect, and a zero point of 0 keeps the kernel's correction terms away.
/// </summary>
internal static class SymmetricWeights
{
    /// <summary>Quantizes a row-major <paramref name="rows"/>×<paramref name="columns"/> matrix.</summary>
    public static QuantizedMatrix Quantize(float[] values, int rows, int columns, bool perColumn)
    {
        var (qmin, qmax) = IntegerRange.Int8Symmetric;
        var quantized = new sbyte[values.Length];
        if (!perColumn)
        {
            var p = ParametersFor(values);
            LinearQuantizer.QuantizeToInt8(values, p, qmin, qmax, quantized);
            return new QuantizedMatrix(quantized, [p.Scale]);
        }

        var scales = new float[columns];
        var column = new float[rows];
        var columnQuantized = new sbyte[rows];
        for (int c = 0; c < columns; c++)
        {
            for (int r = 0; r < rows; r++)
            {
                column[r] = values[(r * columns) + c];
            }

            var p = ParametersFor(column);
            scales[c] = p.Scale;
            LinearQuantizer.QuantizeToInt8(column, p, qmin, qmax, columnQuantized);
            for (int r = 0; r < rows; r++)
            {
                quantized[(r * columns) + c] = columnQuantized[r];
            }
        }

        return new QuantizedMatrix(quantized, scales);
    }

    /// <summary>
    /// Per-tensor rounding error above this multiple of the per-column error sends a weight to per-column
    /// scales even when per-tensor was asked for. Transformer FFN output weights carry a few outlier columns
    /// (all-MiniLM-L6-v2: max |w| up to 175× the RMS) whose range would set the step for every column and
    /// round most weights to −1, 0 or 1; per-tensor there costs 3 points of embedding cosine. Ordinary
    /// weights measure 1.3–3, outlier-dominated ones 4.6–17, so 4 separates them with margin.
    /// </summary>
    public const double OutlierErrorRatio = 4;

    /// <summary>
    /// How many times larger the RMS rounding error of one per-tensor scale is than that of per-column
    /// scales: max |w| over the RMS of the column maxima (rounding error is proportional to the step).
    /// </summary>
    public static double PerTensorErrorRatio(float[] values, int rows, int columns)
    {
        var columnMax = new float[columns];
        var magnitudes = new float[columns];
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Abs(values.AsSpan(r * columns, columns), magnitudes);
            TensorPrimitives.MaxNumber(columnMax, magnitudes, columnMax);
        }

        double overall = TensorPrimitives.Max<float>(columnMax);
        double rms = Math.Sqrt(TensorPrimitives.SumOfSquares<double>([.. columnMax.Select(m => (double)m)]) / columns);
        return rms == 0 ? 1 : overall / rms;
    }

    /// <summary>Per-column when asked for, or when a few outlier columns would dominate one scale.</summary>
    public static bool UsePerColumn(float[] values, int rows, int columns, bool perChannelRequested) =>
        columns > 1 && (perChannelRequested || PerTensorErrorRatio(values, rows, columns) > OutlierErrorRatio);

    private static QuantizationParameters ParametersFor(ReadOnlySpan<float> values)
    {
        var (qmin, qmax) = IntegerRange.Int8Symmetric;
        // MinNumber/MaxNumber skip NaN, so a NaN weight cannot poison the range; FromRange adds zero.
        float min = values.IsEmpty ? 0 : TensorPrimitives.MinNumber(values);
        float max = values.IsEmpty ? 0 : TensorPrimitives.MaxNumber(values);
        return QuantizationParameters.FromRange(min, max, qmin, qmax, symmetric: true);
    }
}
