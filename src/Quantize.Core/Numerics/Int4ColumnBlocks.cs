using System.Buffers.Binary;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Quantize.Core.Numerics;

/// <summary>
/// MatMulNBits' layout straight from a row-major B[K, N]: each column n is quantized along K in blocks and
/// packed into [N, k_blocks, block_size / 2], without materializing the transposed float matrix. The work is cut
/// into tiles of one block of K rows by up to <see cref="TileColumns"/> columns, small enough to stay in the core's
/// cache through every step: each column's min and max, scale and levels are computed with SIMD across columns,
/// pairs of rows are packed into bytes with SIMD, and only those bytes are transposed. Tiles are independent and
/// each writes its own bytes, so they run in parallel with a result that does not depend on the thread count.
/// Levels equal <see cref="Int4BlockQuantizer.QuantizeRows"/> on the transposed matrix exactly.
/// </summary>
public static class Int4ColumnBlocks
{
    /// <summary>Columns per tile: a tile of 32 rows is then 32 KiB of floats.</summary>
    private const int TileColumns = 256;

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
        int tiles = (n + TileColumns - 1) / TileColumns;
        var result = new Result(new byte[(long)n * blocks * blockSize / 2], new float[(long)n * blocks], new byte[(long)n * blocks]);
        var shape = new Shape(k, n, blockSize, blocks, symmetric);
        int finite = 1;
        if ((long)k * n < 1 << 16)
        {
            var work = new Workspace(Math.Min(n, TileColumns), blockSize);
            for (int item = 0; item < blocks * tiles; item++)
            {
                finite &= QuantizeTile(values.Span, shape, item / tiles, item % tiles, result, work) ? 1 : 0;
            }
        }
        else
        {
            Parallel.For(0, (long)blocks * tiles, () => new Workspace(Math.Min(n, TileColumns), blockSize),
                (item, _, work) =>
                {
                    if (!QuantizeTile(values.Span, shape, (int)(item / tiles), (int)(item % tiles), result, work))
                    {
                        Volatile.Write(ref finite, 0);
                    }

                    return work;
                },
                _ => { });
        }

        return finite == 1 ? result : null;
    }

    /// <summary>Quantizes block row <paramref name="b"/> of columns tile <paramref name="t"/>; false when a value is not finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool QuantizeTile(ReadOnlySpan<float> values, Shape shape, int b, int t, Result result, Workspace work)
    {
        int n = shape.N;
        int first = b * shape.BlockSize;
        int count = Math.Min(shape.BlockSize, shape.K - first);
        int c0 = t * TileColumns;
        int width = Math.Min(TileColumns, n - c0);
        var min = work.Min.AsSpan(0, width);
        var max = work.Max.AsSpan(0, width);
        min.Clear();
        max.Clear();
        for (int r = 0; r < count; r++)
        {
            var row = values.Slice(((first + r) * n) + c0, width);
            // Element-wise IEEE minimum/maximum, as MathF.Min/Max in the per-block reference.
            TensorPrimitives.Min(min, row, min);
            TensorPrimitives.Max(max, row, max);
        }

        if (!TensorPrimitives.IsFiniteAll<float>(min) || !TensorPrimitives.IsFiniteAll<float>(max))
        {
            return false;
        }

        bool anyDivide = false;
        for (int c = 0; c < width; c++)
        {
            var (scale, zeroPoint) = shape.Symmetric
                ? (Int4BlockQuantizer.ScaleFromExtremes(min[c], max[c]), Int4BlockQuantizer.SymmetricZeroPoint)
                : Int4BlockQuantizer.AsymmetricFromExtremes(min[c], max[c]);
            float reciprocal = scale != 0f ? 1f / scale : 0f;
            bool divide = float.IsInfinity(reciprocal);
            anyDivide |= divide;
            work.Divide[c] = divide;
            work.Scale[c] = scale;
            work.Reciprocal[c] = divide ? 0f : reciprocal;
            work.ZeroPoint[c] = zeroPoint;
            long at = ((long)(c0 + c) * shape.Blocks) + b;
            result.Scales[at] = scale;
            result.ZeroPoints[at] = zeroPoint;
        }

        // Levels of the tile's rows, [blockSize, width]; padding rows past K take the zero point (dequantizes to 0).
        var levels = work.Levels;
        for (int r = 0; r < shape.BlockSize; r++)
        {
            var target = levels.AsSpan(r * width, width);
            if (r >= count)
            {
                for (int c = 0; c < width; c++)
                {
                    target[c] = (byte)work.ZeroPoint[c];
                }

                continue;
            }

            var row = values.Slice(((first + r) * n) + c0, width);
            Int4Levels.Write(row, work.Reciprocal.AsSpan(0, width), work.ZeroPoint.AsSpan(0, width), target);
            if (anyDivide)
            {
                // A subnormal scale has no finite reciprocal; the reference divides for such blocks.
                for (int c = 0; c < width; c++)
                {
                    if (work.Divide[c])
                    {
                        target[c] = Int4BlockQuantizer.ToLevel(row[c] / work.Scale[c], (byte)work.ZeroPoint[c]);
                    }
                }
            }
        }

        PackAndTranspose(levels, width, shape, c0, b, result.B);
        return true;
    }

    /// <summary>
    /// Packs rows 2j and 2j+1 of the tile's levels into bytes (element 2j in the low nibble) with SIMD across columns,
    /// then writes each column's bytes to its place in MatMulNBits' [N, k_blocks, block_size / 2].
    /// </summary>
    private static void PackAndTranspose(byte[] levels, int width, Shape shape, int c0, int b, byte[] packed)
    {
        int half = shape.BlockSize / 2;
        for (int j = 0; j < half; j++)
        {
            var low = levels.AsSpan(2 * j * width, width);
            var high = levels.AsSpan(((2 * j) + 1) * width, width);
            var pair = levels.AsSpan(j * width, width); // row j is read (as 2j or 2j+1) before this point writes it
            int c = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; c <= width - Vector<byte>.Count; c += Vector<byte>.Count)
                {
                    (new Vector<byte>(low[c..]) | Vector.ShiftLeft(new Vector<byte>(high[c..]), 4)).CopyTo(pair[c..]);
                }
            }

            for (; c < width; c++)
            {
                pair[c] = (byte)(low[c] | (high[c] << 4));
            }
        }

        // Eight columns by eight rows of bytes at a time, as eight 64-bit words transposed in registers; what is left
        // over (a tile's last columns, a block size that is not a multiple of 16) byte by byte.
        int c8 = half % 8 == 0 ? width - (width % 8) : 0;
        Span<ulong> words = stackalloc ulong[8];
        for (int c = 0; c < c8; c += 8)
        {
            for (int j0 = 0; j0 < half; j0 += 8)
            {
                for (int i = 0; i < 8; i++)
                {
                    words[i] = BinaryPrimitives.ReadUInt64LittleEndian(levels.AsSpan(((j0 + i) * width) + c, 8));
                }

                Transpose8x8(words);
                for (int i = 0; i < 8; i++)
                {
                    long at = ((((long)(c0 + c + i) * shape.Blocks) + b) * half) + j0;
                    BinaryPrimitives.WriteUInt64LittleEndian(packed.AsSpan((int)at, 8), words[i]);
                }
            }
        }

        for (int c = c8; c < width; c++)
        {
            var column = packed.AsSpan((int)((((long)(c0 + c) * shape.Blocks) + b) * half), half);
            for (int j = 0; j < half; j++)
            {
                column[j] = levels[(j * width) + c];
            }
        }
    }

    /// <summary>
    /// Transposes an 8×8 matrix of bytes held as eight little-endian words (word r, byte c = element [r, c]) in three
    /// rounds: blocks of 4×4, then 2×2, then single bytes trade places across the diagonal.
    /// </summary>
    private static void Transpose8x8(Span<ulong> rows)
    {
        Swap(rows, 4, 0x00000000FFFFFFFFUL);
        Swap(rows, 2, 0x0000FFFF0000FFFFUL);
        Swap(rows, 1, 0x00FF00FF00FF00FFUL);

        // Rows r and r + d (r without bit d) trade the bytes at columns with bit d set in r for those without it in r + d.
        static void Swap(Span<ulong> rows, int d, ulong mask)
        {
            int shift = 8 * d;
            for (int r = 0; r < 8; r++)
            {
                if ((r & d) == 0)
                {
                    ulong t = ((rows[r] >> shift) ^ rows[r + d]) & mask;
                    rows[r + d] ^= t;
                    rows[r] ^= t << shift;
                }
            }
        }
    }

    /// <summary>The weight's dimensions and mode, shared by every tile.</summary>
    private readonly record struct Shape(int K, int N, int BlockSize, int Blocks, bool Symmetric);

    /// <summary>Per-thread buffers for one tile.</summary>
    private sealed class Workspace(int width, int blockSize)
    {
        public float[] Min { get; } = new float[width];

        public float[] Max { get; } = new float[width];

        public float[] Scale { get; } = new float[width];

        public float[] Reciprocal { get; } = new float[width];

        public float[] ZeroPoint { get; } = new float[width];

        public bool[] Divide { get; } = new bool[width];

        public byte[] Levels { get; } = new byte[blockSize * width];
    }
}
