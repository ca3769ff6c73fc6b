using System.Numerics.Tensors;

namespace Quantize.Core.Numerics;

/// <summary>
/// AWQ (Lin et al., "AWQ: Activation-aware Weight Quantization for LLM Compression and Acceleration", 2024) for one
/// MatMul weight B[K, N] (y = x·B): the weight rows of inputs with large activations matter most, so each input row k
/// is scaled up by s_k = m_k^α before round-to-nearest (its rounding error shrinks relative to its values) and the input
/// is divided by s_k at run time (x·B = (x ⊘ s)·(diag(s)·B)). The paper's grid search picks α in [0, 1) that minimizes
/// the layer-output error on calibration data, which here is computed exactly from H = XᵀX:
/// ‖X·B − X·B̂‖² = Σ_c δ_cᵀ·H·δ_c with δ = B − diag(s)⁻¹·Q(diag(s)·B). α = 0 is round-to-nearest itself, so the chosen
/// scaling never has a larger calibration error than round-to-nearest. Then, as the paper's second step, each block's
/// value range is shrunk by the ratio (1, 0.95, …, 0.55) that minimizes the block's own share of that error, δ_bᵀ·H'_bb·δ_b
/// with H' the Hessian of the scaled inputs x ⊘ s; the clipped weight is kept only when it lowers the whole error.
/// </summary>
/// <remarks>
/// m_k is the root of H[k,k] (the input's root-mean-square magnitude up to a common factor, which the normalization
/// s ← s / √(max s · min s) removes, as in the reference). Inputs that never fire get the smallest scale of the others.
/// </remarks>
public static class Awq
{
    /// <summary>The reference implementation's grid: α = 0, 1/20, …, 19/20.</summary>
    public const int GridPoints = 20;

    /// <summary>The clipping search's ratios: 1 − i/20 for i below 10 (the reference's grid and its 50 % largest shrink).</summary>
    private static readonly float[] ClipRatios = [.. Enumerable.Range(0, 10).Select(i => 1 - (i / 20f))];

    /// <summary>Quantizes B[<paramref name="k"/>, <paramref name="n"/>] (row-major) with <paramref name="hessian"/> = XᵀX [K, K] (row-major).</summary>
    public static AwqResult Quantize(ReadOnlySpan<float> weight, int k, int n, double[] hessian, int blockSize, bool symmetric)
    {
        if (weight.Length != (long)k * n || hessian.Length != (long)k * k)
        {
            throw new ArgumentException($"Expected a {k} × {n} weight and a {k} × {k} Hessian, got {weight.Length} and {hessian.Length} values.");
        }

        // Columns of B as rows ([N, K]): MatMulNBits quantizes each output column along K.
        var columns = MatrixTranspose.Of(weight, k, n);
        var h = new float[(long)k * k];
        for (long i = 0; i < h.Length; i++)
        {
            h[i] = (float)hessian[i];
        }

        var magnitudes = Magnitudes(hessian, k);
        AwqResult? best = null;
        double rtnError = 0;
        for (int point = 0; point < GridPoints; point++)
        {
            double alpha = (double)point / GridPoints;
            var scales = point == 0 ? null : Scales(magnitudes, alpha);
            var rows = Int4BlockQuantizer.QuantizeRows(Scaled(columns, scales, k, n), n, k, blockSize, symmetric);
            double error = OutputError(columns, rows, scales, h, k, n);
            rtnError = point == 0 ? error : rtnError;
            if (best is null || error < best.Error)
            {
                best = new AwqResult(rows, scales, alpha, error, rtnError);
            }
        }

        var clipped = Clip(columns, best!, h, k, n, blockSize, symmetric);
        return (clipped.Error < best!.Error ? clipped : best!) with { RtnError = rtnError };
    }

    /// <summary>
    /// The chosen scaling with every block's range shrunk by the ratio that minimizes δ_bᵀ·H'_bb·δ_b, H'[i, j] = H[i, j] / (s_i·s_j):
    /// a block's rows are quantized together, so its error is weighed by the inputs it meets.
    /// </summary>
    private static AwqResult Clip(float[] columns, AwqResult chosen, float[] h, int k, int n, int blockSize, bool symmetric)
    {
        var scaled = Scaled(columns, chosen.InputScales, k, n);
        var rows = new Int4QuantizedRows(n, k, blockSize, symmetric);
        int blocks = rows.BlocksPerRow;
        var blockHessians = new float[blocks][];
        for (int b = 0; b < blocks; b++)
        {
            int first = b * blockSize, count = Math.Min(blockSize, k - first);
            var hb = blockHessians[b] = new float[count * count];
            for (int i = 0; i < count; i++)
            {
                for (int j = 0; j < count; j++)
                {
                    float si = chosen.InputScales?[first + i] ?? 1f, sj = chosen.InputScales?[first + j] ?? 1f;
                    hb[(i * count) + j] = h[((long)(first + i) * k) + first + j] / (si * sj);
                }
            }
        }

        Parallel.For(0, n, c =>
        {
            var shrunk = new float[blockSize];
            var delta = new float[blockSize];
            var product = new float[blockSize];
            var levels = new byte[blockSize];
            var bestLevels = new byte[blockSize];
            for (int b = 0; b < blocks; b++)
            {
                int first = b * blockSize, count = Math.Min(blockSize, k - first);
                var values = scaled.AsSpan((c * k) + first, count);
                var hb = blockHessians[b];
                double bestError = double.MaxValue;
                (float Scale, byte ZeroPoint) bestParameters = default;
                foreach (var ratio in ClipRatios)
                {
                    TensorPrimitives.Multiply(values, ratio, shrunk.AsSpan(0, count));
                    var parameters = Int4BlockQuantizer.Parameters(shrunk.AsSpan(0, count), symmetric);
                    for (int i = 0; i < count; i++)
                    {
                        levels[i] = parameters.Item1 == 0 ? parameters.Item2 : Int4BlockQuantizer.ToLevel(values[i] / parameters.Item1, parameters.Item2);
                        delta[i] = values[i] - Int4BlockQuantizer.Dequantize(levels[i], parameters.Item1, parameters.Item2);
                    }

                    for (int i = 0; i < count; i++)
                    {
                        product[i] = TensorPrimitives.Dot(hb.AsSpan(i * count, count), delta.AsSpan(0, count));
                    }

                    double error = TensorPrimitives.Dot(delta.AsSpan(0, count), product.AsSpan(0, count));
                    if (error < bestError)
                    {
                        (bestError, bestParameters) = (error, parameters);
                        levels.AsSpan(0, count).CopyTo(bestLevels);
                    }
                }

                rows.Scales[(c * blocks) + b] = bestParameters.Scale;
                rows.ZeroPoints[(c * blocks) + b] = bestParameters.ZeroPoint;
                var target = rows.Levels.AsSpan((c * rows.PaddedLength) + first, blockSize);
                bestLevels.AsSpan(0, count).CopyTo(target);
                target[count..].Fill(bestParameters.ZeroPoint); // padding past K dequantizes to 0, as round-to-nearest leaves it
            }
        });

        return chosen with { Rows = rows, Error = OutputError(columns, rows, chosen.InputScales, h, k, n) };
    }

    /// <summary>‖X·B − X·B̂‖² over the calibration inputs, from H = XᵀX, for B̂ = diag(s)⁻¹·(the dequantized rows).</summary>
    public static double OutputError(float[] columns, Int4QuantizedRows rows, float[]? scales, float[] h, int k, int n)
    {
        var perColumn = new double[n];
        Parallel.For(0, n, () => (new float[k], new float[k]), (c, _, buffers) =>
        {
            var (delta, product) = buffers;
            for (int i = 0; i < k; i++)
            {
                delta[i] = columns[((long)c * k) + i] - (rows.Dequantize(c, i) / (scales?[i] ?? 1f));
            }

            for (int i = 0; i < k; i++)
            {
                product[i] = TensorPrimitives.Dot(h.AsSpan(i * k, k), delta);
            }

            perColumn[c] = TensorPrimitives.Dot(delta, product);
            return buffers;
        }, _ => { });

        // Summed in column order whatever the threads did, so the choice of α is deterministic.
        double total = 0;
        foreach (var value in perColumn)
        {
            total += value;
        }

        return total;
    }

    private static double[] Magnitudes(double[] hessian, int k)
    {
        var magnitudes = new double[k];
        for (int i = 0; i < k; i++)
        {
            magnitudes[i] = Math.Sqrt(Math.Max(hessian[((long)i * k) + i], 0));
        }

        var live = magnitudes.Where(m => m > 0).DefaultIfEmpty(1).Min();
        for (int i = 0; i < k; i++)
        {
            magnitudes[i] = magnitudes[i] > 0 ? magnitudes[i] : live;
        }

        return magnitudes;
    }

    private static float[] Scales(double[] magnitudes, double alpha)
    {
        var scales = magnitudes.Select(m => Math.Pow(m, alpha)).ToArray();
        double normalizer = Math.Sqrt(scales.Max() * scales.Min());
        return [.. scales.Select(s => (float)(s / normalizer))];
    }

    private static float[] Scaled(float[] columns, float[]? scales, int k, int n)
    {
        if (scales is null)
        {
            return columns;
        }

        var scaled = new float[columns.Length];
        for (int c = 0; c < n; c++)
        {
            TensorPrimitives.Multiply(columns.AsSpan(c * k, k), scales, scaled.AsSpan(c * k, k));
        }

        return scaled;
    }
}

/// <summary>What <see cref="Awq.Quantize"/> chose.</summary>
/// <param name="Rows">The quantized rows of diag(s)·B, one per output column, as round-to-nearest lays them out.</param>
/// <param name="InputScales">s[K]: the input must be divided by these at run time; null when α = 0 (plain round-to-nearest).</param>
/// <param name="Alpha">The chosen exponent.</param>
/// <param name="Error">The calibration layer-output error ‖X·B − X·B̂‖² of the choice.</param>
/// <param name="RtnError">The same error for round-to-nearest (α = 0), for comparison.</param>
public sealed record AwqResult(Int4QuantizedRows Rows, float[]? InputScales, double Alpha, double Error, double RtnError);
