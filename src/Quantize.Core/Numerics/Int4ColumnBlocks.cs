using System.Numerics;
using System.Numerics.Tensors;

namespace Quantize.Core.Numerics;

/// <summary>
/// MatMulNBits' layout straight from a row-major B[K, N]: each column n is quantized along K in blocks and
/// packed into [N, k_blocks, block_size / 2], without materializing the transposed float matrix. One block
/// of K rows is processed at a time: its rows are contiguous, so every column's min, max and level is
/// computed with SIMD across columns, and only the packed bytes are transposed. Blocks are independent and
/// each writes its own bytes, so they run in parallel with a result that does not depend on the thread
/// count. Levels equal <see cref="Int4BlockQuantizer.QuantizeRows"/> on the transposed matrix exactly.
/// </summary>
public static class Int4ColumnBlocks
{
    /// <summary>The packed weight, the scales [N × k_blocks] and unpacked zero points [N × k_blocks].</summary>
    /// <param name="B">Packed levels [N, k_blocks, block_size / 2].</param>
    /// <param name="Scales">Scales, [N, k_blocks] row-major.</param>
    /// <param name="ZeroPoints">Zero points 0..15, [N, k_blocks] row-major (all 8 when symmetric).</param>
    public sealed record Result(byte[] B, float[] Scales, byte[] ZeroPoints);

    /// <summary>
    /// Quantizes B[<paramref name="k"/>, <paramref name="n"/>]; null when some value is NaN or infinite
    /// (callers then take the element-wise path, which defines what such values become).
    /// </summary>
    public static Result? Quantize(ReadOnlyMemory<float> values, int k, int n, int blockSize, bool symmetric)
    {
        if (blockSize < 2 || blockSize % 2 != 0 || values.Length != (long)k * n)
        {
            throw new ArgumentException($"Expected {k} × {n} values and an even block size, got {values.Length} values and block size {blockSize}.");
        }

        int blocks = (k + blockSize - 1) / blockSize;
        var result = new Result(new byte[(long)n * blocks * blockSize / 2], new float[(long)n * blocks], new byte[(long)n * blocks]);
        var finite = new bool[blocks];
        if ((long)k * n < 1 << 16)
        {
            var work = new Workspace(n, blockSize);
            for (int b = 0; b < blocks; b++)
            {
                finite[b] = QuantizeBlockRow(values.Span, k, n, blockSize, symmetric, b, result, work);
            }
        }
        else
        {
            Parallel.For(0, blocks, () => new Workspace(n, blockSize),
                (b, _, work) =>
                {
                    finite[b] = QuantizeBlockRow(values.Span, k, n, blockSize, symmetric, b, result, work);
                    return work;
                },
                _ => { });
        }

        return finite.All(f => f) ? result : null;
    }

    private static bool QuantizeBlockRow(ReadOnlySpan<float> values, int k, int n, int blockSize, bool symmetric, int b, Result result, Workspace work)
    {
        int first = b * blockSize;
        int count = Math.Min(blockSize, k - first);
        var min = work.Min;
        var max = work.Max;
        min.AsSpan().Clear();
        max.AsSpan().Clear();
        for (int r = 0; r < count; r++)
        {
            var row = values.Slice((first + r) * n, n);
            // Element-wise IEEE minimum/maximum, as MathF.Min/Max in the per-block reference.
            TensorPrimitives.Min(min, row, min);
            TensorPrimitives.Max(max, row, max);
        }

        if (!TensorPrimitives.IsFiniteAll<float>(min) || !TensorPrimitives.IsFiniteAll<float>(max))
        {
            return false;
        }

        int blocks = (k + blockSize - 1) / blockSize;
        bool anyDivide = false;
        for (int c = 0; c < n; c++)
        {
            var (scale, zeroPoint) = symmetric
                ? (Int4BlockQuantizer.ScaleFromExtremes(min[c], max[c]), Int4BlockQuantizer.SymmetricZeroPoint)
                : Int4BlockQuantizer.AsymmetricFromExtremes(min[c], max[c]);
            float reciprocal = scale != 0f ? 1f / scale : 0f;
            work.Divide[c] = float.IsInfinity(reciprocal);
            anyDivide |= work.Divide[c];
            work.Scale[c] = scale;
            work.Reciprocal[c] = work.Divide[c] ? 0f : reciprocal;
            work.ZeroPoint[c] = zeroPoint;
            result.Scales[((long)c * blocks) + b] = scale;
            result.ZeroPoints[((long)c * blocks) + b] = (byte)zeroPoint;
        }

        // Levels of the block's rows, [blockSize, n]; padding rows past K take the zero point (dequantizes to 0).
        var levels = work.Levels;
        for (int r = 0; r < blockSize; r++)
        {
            var target = levels.AsSpan(r * n, n);
            if (r >= count)
            {
                for (int c = 0; c < n; c++)
                {
                    target[c] = (byte)work.ZeroPoint[c];
                }

                continue;
            }

            var row = values.Slice((first + r) * n, n);
            var scaled = work.Scaled;
            TensorPrimitives.Multiply(row, work.Reciprocal, scaled);
            if (anyDivide)
            {
                // A subnormal scale has no finite reciprocal; the reference divides for such blocks.
                for (int c = 0; c < n; c++)
                {
                    if (work.Divide[c])
                    {
                        scaled[c] = row[c] / work.Scale[c];
                    }
                }
            }

            ToLevels(scaled, work.ZeroPoint, target);
        }

        // Transpose the block's levels into each column's packed bytes: element 2j low nibble, 2j+1 high.
        int half = blockSize / 2;
        for (int c = 0; c < n; c++)
        {
            var packed = result.B.AsSpan((int)((((long)c * blocks) + b) * half), half);
            for (int j = 0; j < half; j++)
            {
                packed[j] = (byte)(levels[(2 * j * n) + c] | (levels[(((2 * j) + 1) * n) + c] << 4));
            }
        }

        return true;
    }

    /// <summary>
    /// clamp(round_half_away_from_zero(s) + zero point, 0, 15) for finite, already scaled values (|s| ≤ 16
    /// for finite blocks, so truncation through int32 is exact).
    /// </summary>
    private static void ToLevels(ReadOnlySpan<float> scaled, ReadOnlySpan<float> zeroPoints, Span<byte> levels)
    {
        int c = 0;
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var half = new Vector<float>(0.5f);
            var one = Vector<float>.One;
            var top = new Vector<float>(Int4BlockQuantizer.MaxLevel);
            for (; c <= scaled.Length - width; c += width)
            {
                var s = new Vector<float>(scaled.Slice(c, width));
                var truncated = Vector.ConvertToSingle(Vector.ConvertToInt32(s));
                // |s − trunc(s)| is exact; at ≥ 0.5 the value rounds one step away from zero.
                var away = Vector.GreaterThanOrEqual(Vector.Abs(s - truncated), half);
                var step = Vector.ConditionalSelect(Vector.LessThan(s, Vector<float>.Zero), -one, one);
                var rounded = truncated + Vector.ConditionalSelect(away, step, Vector<float>.Zero);
                var level = Vector.Min(Vector.Max(rounded + new Vector<float>(zeroPoints.Slice(c, width)), Vector<float>.Zero), top);
                var asInt = Vector.ConvertToInt32(level);
                for (int i = 0; i < width; i++)
                {
                    levels[c + i] = (byte)asInt[i];
                }
            }
        }

        for (; c < scaled.Length; c++)
        {
            levels[c] = Int4BlockQuantizer.ToLevel(scaled[c], (byte)zeroPoints[c]);
        }
    }

    /// <summary>Per-thread buffers for one block row.</summary>
    private sealed class Workspace(int n, int blockSize)
    {
        public float[] Min { get; } = new float[n];

        public float[] Max { get; } = new float[n];

        public float[] Scale { get; } = new float[n];

        public float[] Reciprocal { get; } = new float[n];

        public float[] ZeroPoint { get; } = new float[n];

        public bool[] Divide { get; } = new bool[n];

        public float[] Scaled { get; } = new float[n];

        public byte[] Levels { get; } = new byte[blockSize * n];
    }
}
