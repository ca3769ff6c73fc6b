using System.Numerics;
using System.Runtime.CompilerServices;

namespace Quantize.Core.Numerics;

/// <summary>
/// Block-wise 4-bit quantization the way ONNX Runtime's C++ library prepares MatMulNBits weights
/// (docs/numerics.md "Quantize / dequantize", 4-bit notes), so that our blocks equal the ones ORT's own
/// tooling would write. It differs from the int8 path on purpose: it multiplies by the reciprocal of
/// the scale and rounds half away from zero.
/// <list type="bullet">
/// <item>Symmetric: scale = (the value with the largest |v|) / −8, implicit zero point 8. Dividing by −8
/// maps that value to level 0, the side with room for 8 steps, so the extreme value is exact.</item>
/// <item>Asymmetric: scale = (max(mx, 0) − min(mn, 0)) / 15, zero point = clamp(round(−mn / scale), 0, 15).</item>
/// <item>q = clamp(round_half_away_from_zero(v × (1 / scale)) + zero point, 0, 15).</item>
/// </list>
/// Levels are unsigned 0..15 in both modes: x ≈ (q − zero point) × scale. The zero point is added after
/// rounding, as ORT's block-wise QDQ quantizer does (its older MatMulNBits packing rounds v / scale + zp
/// instead, which differs only on exact ties below zero); rounding first keeps a block's levels
/// symmetric around the zero point.
/// </summary>
public static class Int4BlockQuantizer
{
    /// <summary>The implicit zero point of symmetric blocks (and MatMulNBits' default).</summary>
    public const byte SymmetricZeroPoint = 8;

    /// <summary>The largest 4-bit level.</summary>
    public const int MaxLevel = 15;

    /// <summary>
    /// Quantizes one block into levels 0..15 written to <paramref name="levels"/> (same length as
    /// <paramref name="block"/>) and returns the block's scale and zero point.
    /// </summary>
    public static (float Scale, byte ZeroPoint) QuantizeBlock(ReadOnlySpan<float> block, bool symmetric, Span<byte> levels)
    {
        if (levels.Length < block.Length)
        {
            throw new ArgumentException($"Levels hold {levels.Length} elements but the block has {block.Length}.", nameof(levels));
        }

        var (scale, zeroPoint) = Parameters(block, symmetric);

        float reciprocal = scale != 0f ? 1f / scale : 0f;
        // A subnormal scale has no finite reciprocal; dividing keeps such a block's levels exact
        // instead of turning them into ±inf (or NaN for zeros).
        bool divide = float.IsInfinity(reciprocal);
        for (int i = 0; i < block.Length; i++)
        {
            float scaled = divide ? block[i] / scale : block[i] * reciprocal;
            levels[i] = ToLevel(scaled, zeroPoint);
        }

        return (scale, zeroPoint);
    }

    /// <summary>The block's scale and zero point: symmetric (zero point 8) or from its minimum and maximum.</summary>
    public static (float Scale, byte ZeroPoint) Parameters(ReadOnlySpan<float> block, bool symmetric) =>
        symmetric ? (SymmetricScale(block), SymmetricZeroPoint) : AsymmetricParameters(block);

    /// <summary>
    /// The symmetric scale of a block: its largest-magnitude value, sign kept, divided by −8 (0 for an
    /// all-zero block). When the most negative and the most positive value have the same magnitude the
    /// negative one wins, as in ONNX Runtime's range2scale, so the choice never depends on element order.
    /// </summary>
    public static float SymmetricScale(ReadOnlySpan<float> block)
    {
        float min = 0f;
        float max = 0f;
        foreach (var v in block)
        {
            min = MathF.Min(min, v);
            max = MathF.Max(max, v);
        }

        return ScaleFromExtremes(min, max);
    }

    /// <summary>The symmetric scale from a block's min(0, values) and max(0, values).</summary>
    internal static float ScaleFromExtremes(float min, float max)
    {
        float extreme = MathF.Abs(max) > MathF.Abs(min) ? max : min;
        return extreme == 0f ? 0f : extreme / -8f; // +0, not −0, for an all-zero block
    }

    /// <summary>Asymmetric scale and zero point of a block; the range always includes zero.</summary>
    public static (float Scale, byte ZeroPoint) AsymmetricParameters(ReadOnlySpan<float> block)
    {
        float min = 0f;
        float max = 0f;
        foreach (var v in block)
        {
            min = MathF.Min(min, v);
            max = MathF.Max(max, v);
        }

        return AsymmetricFromExtremes(min, max);
    }

    /// <summary>Asymmetric scale and zero point from a block's min(0, values) and max(0, values).</summary>
    internal static (float Scale, byte ZeroPoint) AsymmetricFromExtremes(float min, float max)
    {
        float scale = (max - min) / MaxLevel;
        if (scale == 0f)
        {
            return (0f, 0);
        }

        float zeroPoint = -min / scale;
        return (scale, (byte)Math.Clamp(MathF.Round(zeroPoint, MidpointRounding.AwayFromZero), 0f, MaxLevel));
    }

    /// <summary>Maps an already scaled value to its level: round half away from zero, add the zero point, clamp.</summary>
    public static byte ToLevel(float scaled, byte zeroPoint) =>
        (byte)Math.Clamp(MathF.Round(scaled, MidpointRounding.AwayFromZero) + zeroPoint, 0f, MaxLevel);

    /// <summary>The value a level stands for: (q − zeroPoint) × scale.</summary>
    public static float Dequantize(byte level, float scale, byte zeroPoint) => (level - zeroPoint) * scale;

    /// <summary>
    /// Quantizes <paramref name="rows"/> vectors of <paramref name="length"/> values each (row-major in
    /// <paramref name="values"/>) in blocks of <paramref name="blockSize"/> along each row. A row whose
    /// length is not a whole number of blocks is zero-padded: the padding takes the block's zero-point
    /// level, which dequantizes to exactly 0. Rows are independent, so large tensors are quantized in
    /// parallel; the result does not depend on the thread count.
    /// </summary>
    public static Int4QuantizedRows QuantizeRows(ReadOnlyMemory<float> values, int rows, int length, int blockSize, bool symmetric)
    {
        if (blockSize <= 0 || rows < 0 || length < 0 || values.Length != (long)rows * length)
        {
            throw new ArgumentException($"Expected {rows} × {length} values with a positive block size, got {values.Length} values and block size {blockSize}.");
        }

        var result = new Int4QuantizedRows(rows, length, blockSize, symmetric);
        const int ParallelThreshold = 1 << 16;
        if ((long)rows * length < ParallelThreshold)
        {
            for (int r = 0; r < rows; r++)
            {
                QuantizeRow(values, r, result);
            }
        }
        else
        {
            Parallel.For(0, rows, r => QuantizeRow(values, r, result));
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuantizeRow(ReadOnlyMemory<float> values, int r, Int4QuantizedRows result)
    {
        int length = result.Length;
        int blockSize = result.BlockSize;
        var row = values.Span.Slice(r * length, length);
        var rowLevels = result.Levels.AsSpan(r * result.PaddedLength, result.PaddedLength);
        for (int b = 0; b < result.BlocksPerRow; b++)
        {
            int start = b * blockSize;
            int count = Math.Min(blockSize, length - start);
            var (scale, zeroPoint) = QuantizeBlockFast(row.Slice(start, count), result.Symmetric, rowLevels.Slice(start, count));
            rowLevels.Slice(start + count, blockSize - count).Fill(zeroPoint);
            result.Scales[(r * result.BlocksPerRow) + b] = scale;
            result.ZeroPoints[(r * result.BlocksPerRow) + b] = zeroPoint;
        }
    }

    /// <summary>
    /// min(0, values) and max(0, values) of a block in one pass; false when a value is NaN or infinite (the extremes are
    /// then meaningless). One fused loop rather than TensorPrimitives.Min and Max: a block is 16–256 values, where two
    /// library calls per block cost more than the arithmetic (a fifth of an INT4 run's CPU on a decoder's embedding
    /// table). Vector min/max may return either zero for +0 and −0, which no parameter depends on.
    /// </summary>
    internal static bool FiniteExtremes(ReadOnlySpan<float> block, out float min, out float max)
    {
        var low = Vector<float>.Zero;
        var high = Vector<float>.Zero;
        var exponent = new Vector<int>(0x7F800000);
        var nonFinite = Vector<int>.Zero;
        int i = 0;
        for (; i <= block.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var v = new Vector<float>(block.Slice(i));
            low = Vector.Min(low, v);
            high = Vector.Max(high, v);
            nonFinite |= Vector.Equals(Vector.AsVectorInt32(v) & exponent, exponent); // all exponent bits set: ±inf or NaN
        }

        min = 0f;
        max = 0f;
        for (int lane = 0; lane < Vector<float>.Count; lane++)
        {
            min = MathF.Min(min, low[lane]);
            max = MathF.Max(max, high[lane]);
        }

        bool finite = nonFinite == Vector<int>.Zero;
        for (; i < block.Length; i++)
        {
            finite &= float.IsFinite(block[i]);
            min = MathF.Min(min, block[i]);
            max = MathF.Max(max, block[i]);
        }

        return finite;
    }

    /// <summary>
    /// <see cref="QuantizeBlock"/> with SIMD: the same extremes (IEEE minimum and maximum over the block and zero), the
    /// same parameters and, through <see cref="Int4Levels"/>, the same levels. Blocks the vector path does not define
    /// (NaN or infinity, a scale without a finite reciprocal) go to the reference itself.
    /// </summary>
    private static (float Scale, byte ZeroPoint) QuantizeBlockFast(ReadOnlySpan<float> block, bool symmetric, Span<byte> levels)
    {
        if (!FiniteExtremes(block, out float min, out float max))
        {
            return QuantizeBlock(block, symmetric, levels);
        }

        var (scale, zeroPoint) = symmetric ? (ScaleFromExtremes(min, max), SymmetricZeroPoint) : AsymmetricFromExtremes(min, max);
        float reciprocal = scale != 0f ? 1f / scale : 0f;
        if (float.IsInfinity(reciprocal))
        {
            return QuantizeBlock(block, symmetric, levels);
        }

        Int4Levels.Write(block, reciprocal, zeroPoint, levels);
        return (scale, zeroPoint);
    }
}
