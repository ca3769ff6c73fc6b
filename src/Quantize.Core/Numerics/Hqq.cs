namespace Quantize.Core.Numerics;

/// <summary>
/// HQQ (Badri and Shaji, "Half-Quadratic Quantization of Large Machine Learning Models", 2023), data-free: each block's
/// quantization parameters are optimized against the weights alone, by half-quadratic splitting of
/// min ‖W − Q⁻¹(Q(W))‖ₚ with p &lt; 1. An auxiliary error W_e, the sparse part of the rounding error, is found by the
/// ℓₚ shrinkage operator (the proximal step); then the parameters are fitted by least squares to W − W_e (the quadratic
/// step); β grows by κ every iteration. The paper's settings: p = 0.7, β = 10, κ = 1.01, 20 iterations.
/// </summary>
/// <remarks>
/// The paper fits a fractional zero point with the scale fixed. ONNX Runtime's MatMulNBits, GatherBlockQuantized and
/// int4 DequantizeLinear all take integer zero points (0..15), so here the quadratic step fits scale and offset
/// together and rounds the zero point to the grid, then refits the scale for it; symmetric blocks keep the implicit
/// zero point 8 and fit the scale alone. Every iterate is scored by its squared reconstruction error and the block keeps
/// the best one, round-to-nearest (the starting point) included, so HQQ never reconstructs a block worse than
/// round-to-nearest.
/// </remarks>
public static class Hqq
{
    /// <summary>The ℓₚ quasi-norm of the error (the paper's 0.7).</summary>
    public const float P = 0.7f;

    /// <summary>The paper's starting β and its growth per iteration.</summary>
    public const float Beta = 10f, Kappa = 1.01f;

    /// <summary>The paper's iteration count.</summary>
    public const int Iterations = 20;

    /// <summary>
    /// Quantizes <paramref name="rows"/> vectors of <paramref name="length"/> values (row-major) in blocks along each
    /// row, as <see cref="Int4BlockQuantizer.QuantizeRows"/> does, with each block's parameters optimized.
    /// </summary>
    public static Int4QuantizedRows QuantizeRows(ReadOnlyMemory<float> values, int rows, int length, int blockSize, bool symmetric)
    {
        var result = Int4BlockQuantizer.QuantizeRows(values, rows, length, blockSize, symmetric);
        Parallel.For(0, rows, () => new Workspace(blockSize), (r, _, work) =>
        {
            var row = values.Span.Slice(r * length, length);
            var levels = result.Levels.AsSpan(r * result.PaddedLength, result.PaddedLength);
            for (int b = 0; b < result.BlocksPerRow; b++)
            {
                int start = b * blockSize, count = Math.Min(blockSize, length - start);
                int parameters = (r * result.BlocksPerRow) + b;
                var block = row.Slice(start, count);
                if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(block))
                {
                    continue; // round-to-nearest defines what non-finite values become
                }

                if (Optimize(block, levels.Slice(start, count), result.Scales[parameters], result.ZeroPoints[parameters], symmetric, work) is var (scale, zeroPoint))
                {
                    result.Scales[parameters] = scale;
                    result.ZeroPoints[parameters] = zeroPoint;
                    Levels(block, scale, zeroPoint, levels.Slice(start, count));
                    levels.Slice(start + count, blockSize - count).Fill(zeroPoint);
                }
            }

            return work;
        }, _ => { });
        return result;
    }

    /// <summary>
    /// The (scale, zero point) HQQ finds for one block, starting from round-to-nearest's <paramref name="rtnLevels"/>,
    /// <paramref name="scale"/> and <paramref name="zeroPoint"/>; null when none reconstructs it better than those.
    /// </summary>
    internal static (float Scale, byte ZeroPoint)? Optimize(ReadOnlySpan<float> block, ReadOnlySpan<byte> rtnLevels, float scale, byte zeroPoint, bool symmetric, Workspace work)
    {
        if (!float.IsNormal(scale))
        {
            return null; // an all-zero block, or a subnormal scale round-to-nearest handles by division
        }

        int n = block.Length;
        var levels = work.Levels.AsSpan(0, n);
        var target = work.Target.AsSpan(0, n);
        rtnLevels.CopyTo(levels);
        (float Scale, byte ZeroPoint)? best = null;
        double bestError = Error(block, levels, scale, zeroPoint);
        float beta = Beta;
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            // Proximal step: W_e = shrink(W − Ŵ); the parameters are then fitted to W − W_e.
            for (int i = 0; i < n; i++)
            {
                float error = block[i] - ((levels[i] - zeroPoint) * scale);
                target[i] = block[i] - Shrink(error, beta);
            }

            beta *= Kappa;
            if (Fit(target, levels, symmetric) is not { } fitted || fitted == (scale, zeroPoint))
            {
                break;
            }

            (scale, zeroPoint) = fitted;
            Levels(block, scale, zeroPoint, levels);
            double reconstruction = Error(block, levels, scale, zeroPoint);
            if (reconstruction < bestError)
            {
                (best, bestError) = ((scale, zeroPoint), reconstruction);
            }
        }

        return best;
    }

    /// <summary>The ℓₚ shrinkage operator: sign(x)·max(|x| − |x|^(p−1)/β, 0).</summary>
    internal static float Shrink(float x, float beta)
    {
        float magnitude = MathF.Abs(x);
        if (magnitude == 0)
        {
            return 0;
        }

        return MathF.CopySign(MathF.Max(magnitude - (MathF.Pow(magnitude, P - 1) / beta), 0), x);
    }

    /// <summary>
    /// Least squares of <paramref name="target"/> ≈ (q − z)·s over the current levels q: symmetric fits s with z = 8;
    /// asymmetric fits s and an offset, rounds z = −offset / s to 0..15 and refits s for it. Null when the levels
    /// cannot determine a positive (asymmetric) or finite scale.
    /// </summary>
    private static (float Scale, byte ZeroPoint)? Fit(ReadOnlySpan<float> target, ReadOnlySpan<byte> levels, bool symmetric)
    {
        byte zeroPoint = Int4BlockQuantizer.SymmetricZeroPoint;
        if (!symmetric)
        {
            double meanQ = 0, meanT = 0;
            for (int i = 0; i < levels.Length; i++)
            {
                meanQ += levels[i];
                meanT += target[i];
            }

            meanQ /= levels.Length;
            meanT /= levels.Length;
            double covariance = 0, variance = 0;
            for (int i = 0; i < levels.Length; i++)
            {
                covariance += (levels[i] - meanQ) * (target[i] - meanT);
                variance += (levels[i] - meanQ) * (levels[i] - meanQ);
            }

            double slope = covariance / variance;
            if (!(slope > 0) || !double.IsFinite(slope))
            {
                return null;
            }

            zeroPoint = (byte)Math.Clamp(Math.Round(meanQ - (meanT / slope), MidpointRounding.AwayFromZero), 0, Int4BlockQuantizer.MaxLevel);
        }

        double numerator = 0, denominator = 0;
        for (int i = 0; i < levels.Length; i++)
        {
            double centered = levels[i] - zeroPoint;
            numerator += target[i] * centered;
            denominator += centered * centered;
        }

        float scale = (float)(numerator / denominator);
        return float.IsNormal(scale) && (symmetric || scale > 0) ? (scale, zeroPoint) : null;
    }

    private static void Levels(ReadOnlySpan<float> block, float scale, byte zeroPoint, Span<byte> levels)
    {
        for (int i = 0; i < block.Length; i++)
        {
            levels[i] = Int4BlockQuantizer.ToLevel(block[i] / scale, zeroPoint);
        }
    }

    private static double Error(ReadOnlySpan<float> block, ReadOnlySpan<byte> levels, float scale, byte zeroPoint)
    {
        double sum = 0;
        for (int i = 0; i < block.Length; i++)
        {
            double difference = block[i] - Int4BlockQuantizer.Dequantize(levels[i], scale, zeroPoint);
            sum += difference * difference;
        }

        return sum;
    }

    /// <summary>Per-thread buffers for one block.</summary>
    internal sealed class Workspace(int blockSize)
    {
        public byte[] Levels { get; } = new byte[blockSize];

        public float[] Target { get; } = new float[blockSize];
    }
}
