using System.Numerics.Tensors;

namespace Quantize.Core.Numerics;

/// <summary>
/// GPTQ (Frantar et al., "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers", 2023)
/// for one MatMul weight B[K, N] (y = x·B), into the same 4-bit blocks along K as round-to-nearest: the input rows of
/// B are quantized one at a time, and each row's rounding error is pushed onto the rows not yet quantized, weighted
/// by the inverse Hessian of the layer's reconstruction error ‖X·B − X·B̂‖², H = 2·XᵀX over the calibration inputs X.
/// A block's scale and zero point are set from its rows when quantization reaches its first row (the paper's
/// "groups"), with the same formulas as round-to-nearest, so the kernel sees ordinary blocks.
/// </summary>
/// <remarks>
/// As in the reference: inputs that never fire (H[k,k] = 0) get H[k,k] = 1 and a zero row; the diagonal is damped by
/// <c>damping</c> × its mean so H is safely positive definite; the update uses the upper Cholesky factor U of H⁻¹
/// (H⁻¹ = UᵀU): with e = (b_k − q_k) / U[k,k], every later row j gets b_j −= U[k,j]·e. Rows go in natural order
/// unless act-order is asked for.
/// </remarks>
public static class Gptq
{
    /// <summary>The reference implementation's damping: 1% of the mean diagonal.</summary>
    public const double DefaultDamping = 0.01;

    /// <summary>
    /// Quantizes B[<paramref name="k"/>, <paramref name="n"/>] (row-major) with <paramref name="hessian"/> = XᵀX [K, K] (row-major).
    /// With <paramref name="actOrder"/> the rows with the largest H[k,k] (the inputs with the most energy) go first, while
    /// the most rows remain to absorb their errors (the paper's act-order). Blocks must stay contiguous along K for the
    /// kernel, so their scales and zero points are then set from the weights before any compensation ("static groups")
    /// instead of when quantization reaches each block.
    /// </summary>
    public static Int4QuantizedRows Quantize(ReadOnlySpan<float> weight, int k, int n, double[] hessian, int blockSize, bool symmetric, bool actOrder = false, double damping = DefaultDamping)
    {
        if (weight.Length != (long)k * n || hessian.Length != (long)k * k)
        {
            throw new ArgumentException($"Expected a {k} × {n} weight and a {k} × {k} Hessian, got {weight.Length} and {hessian.Length} values.");
        }

        var w = weight.ToArray();
        var h = (double[])hessian.Clone();
        double meanDiagonal = 0;
        for (int i = 0; i < k; i++)
        {
            if (h[(i * k) + i] == 0)
            {
                h[(i * k) + i] = 1;
                w.AsSpan(i * n, n).Clear();
            }

            meanDiagonal += h[(i * k) + i] / k;
        }

        for (int i = 0; i < k; i++)
        {
            h[(i * k) + i] += damping * meanDiagonal;
        }

        var result = new Int4QuantizedRows(n, k, blockSize, symmetric);
        var column = new float[blockSize];
        int[]? order = actOrder ? ActOrder(h, k) : null;
        if (order is not null)
        {
            for (int block = 0; block < result.BlocksPerRow; block++)
            {
                SetBlockParameters(w, k, n, block, blockSize, result, column);
            }

            (w, h) = (PermuteRows(w, order, n), PermuteBoth(h, order, k));
        }

        // From here, step i quantizes weight row order[i] (i itself in natural order), held in row i of w and h.
        var u = UpperCholeskyOfInverse(h, k);
        var error = new float[n];
        for (int step = 0; step < k; step++)
        {
            int row = order?[step] ?? step;
            int block = row / blockSize;
            if (order is null && row % blockSize == 0)
            {
                SetBlockParameters(w, k, n, block, blockSize, result, column);
            }

            var current = w.AsSpan(step * n, n);
            float diagonal = (float)u[((long)step * k) + step];
            for (int c = 0; c < n; c++)
            {
                int parameters = (c * result.BlocksPerRow) + block;
                float scale = result.Scales[parameters];
                byte zeroPoint = result.ZeroPoints[parameters];
                byte level = scale == 0 ? zeroPoint : Int4BlockQuantizer.ToLevel(current[c] / scale, zeroPoint);
                result.Levels[((long)c * result.PaddedLength) + row] = level;
                error[c] = (current[c] - Int4BlockQuantizer.Dequantize(level, scale, zeroPoint)) / diagonal;
            }

            for (int later = step + 1; later < k; later++)
            {
                float weightOfError = (float)u[((long)step * k) + later];
                if (weightOfError != 0)
                {
                    var target = w.AsSpan(later * n, n);
                    TensorPrimitives.MultiplyAdd(error, -weightOfError, target, target);
                }
            }
        }

        PadLevels(result);
        return result;
    }

    /// <summary>Each column's scale and zero point for <paramref name="block"/>, from its rows as they are now (earlier errors already pushed in).</summary>
    private static void SetBlockParameters(float[] w, int k, int n, int block, int blockSize, Int4QuantizedRows result, float[] column)
    {
        int first = block * blockSize;
        int count = Math.Min(blockSize, k - first);
        var levels = new byte[count];
        for (int c = 0; c < n; c++)
        {
            for (int r = 0; r < count; r++)
            {
                column[r] = w[((first + r) * n) + c];
            }

            var (scale, zeroPoint) = Int4BlockQuantizer.QuantizeBlock(column.AsSpan(0, count), result.Symmetric, levels);
            result.Scales[(c * result.BlocksPerRow) + block] = scale;
            result.ZeroPoints[(c * result.BlocksPerRow) + block] = zeroPoint;
        }
    }

    /// <summary>Input rows by decreasing H[k,k]; ties keep their index order, so the order is deterministic.</summary>
    private static int[] ActOrder(double[] h, int k) =>
        [.. Enumerable.Range(0, k).OrderByDescending(i => h[((long)i * k) + i]).ThenBy(i => i)];

    private static float[] PermuteRows(float[] w, int[] order, int n)
    {
        var permuted = new float[w.Length];
        for (int i = 0; i < order.Length; i++)
        {
            w.AsSpan(order[i] * n, n).CopyTo(permuted.AsSpan(i * n, n));
        }

        return permuted;
    }

    private static double[] PermuteBoth(double[] h, int[] order, int k)
    {
        var permuted = new double[h.Length];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                permuted[((long)i * k) + j] = h[((long)order[i] * k) + order[j]];
            }
        }

        return permuted;
    }

    /// <summary>The padding past K holds each block's zero point, as round-to-nearest leaves it.</summary>
    private static void PadLevels(Int4QuantizedRows result)
    {
        for (int c = 0; c < result.Rows; c++)
        {
            for (int i = result.Length; i < result.PaddedLength; i++)
            {
                result.Levels[((long)c * result.PaddedLength) + i] = result.ZeroPoints[(c * result.BlocksPerRow) + (i / result.BlockSize)];
            }
        }
    }

    /// <summary>U with H⁻¹ = UᵀU, U upper triangular, for symmetric positive definite <paramref name="h"/> [k, k].</summary>
    internal static double[] UpperCholeskyOfInverse(double[] h, int k)
    {
        var lower = LowerCholesky(h, k);
        // H⁻¹ = L⁻ᵀL⁻¹. Column c of L⁻¹ solves L·m = e_c by forward substitution; each is kept as row c of `rows`
        // (L⁻¹ transposed), so every step is a dot product of contiguous spans.
        var rows = new double[(long)k * k];
        for (int c = 0; c < k; c++)
        {
            var m = rows.AsSpan(c * k, k);
            m[c] = 1 / lower[((long)c * k) + c];
            for (int r = c + 1; r < k; r++)
            {
                m[r] = -TensorPrimitives.Dot(lower.AsSpan((r * k) + c, r - c), m.Slice(c, r - c)) / lower[((long)r * k) + r];
            }
        }

        // H⁻¹[i, j] = Σ_m L⁻¹[m, i]·L⁻¹[m, j]: a dot product of two rows of L⁻¹ transposed.
        var hInverse = new double[(long)k * k];
        for (int i = 0; i < k; i++)
        {
            for (int j = i; j < k; j++)
            {
                int start = Math.Max(i, j);
                double value = TensorPrimitives.Dot(rows.AsSpan((i * k) + start, k - start), rows.AsSpan((j * k) + start, k - start));
                hInverse[((long)i * k) + j] = value;
                hInverse[((long)j * k) + i] = value;
            }
        }

        // The upper factor of H⁻¹ is the transpose of its lower Cholesky factor.
        return MatrixTranspose.Of(LowerCholesky(hInverse, k), k, k);
    }

    /// <summary>L with H = LLᵀ (Cholesky–Banachiewicz, row by row, dot products over contiguous rows).</summary>
    private static double[] LowerCholesky(double[] h, int k)
    {
        var l = new double[(long)k * k];
        for (int i = 0; i < k; i++)
        {
            var rowI = l.AsSpan(i * k, k);
            for (int j = 0; j <= i; j++)
            {
                double sum = h[((long)i * k) + j] - TensorPrimitives.Dot(rowI[..j], l.AsSpan(j * k, j));
                if (i == j)
                {
                    if (!(sum > 0))
                    {
                        throw new ArithmeticException("The damped Hessian is not positive definite.");
                    }

                    rowI[j] = Math.Sqrt(sum);
                }
                else
                {
                    rowI[j] = sum / l[((long)j * k) + j];
                }
            }
        }

        return l;
    }
}
