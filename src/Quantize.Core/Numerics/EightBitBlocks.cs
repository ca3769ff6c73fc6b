namespace Quantize.Core.Numerics;

/// <summary>
/// MatMulNBits with bits = 8: each column n of a row-major B[K, N] quantized along K in blocks to levels 0..255, the
/// 8-bit counterpart of <see cref="Int4BlockQuantizer"/> with the same rules at 256 levels (x ≈ (q − zero point) ×
/// scale; symmetric: scale = the largest-magnitude value / −128 and the kernel's implicit zero point 128; asymmetric:
/// scale = (max(mx, 0) − min(mn, 0)) / 255 and zero point clamp(round(−mn / scale), 0, 255); values multiplied by the
/// reciprocal of the scale and rounded half away from zero). Used for the layers an INT4 model keeps at 8 bits.
/// </summary>
public static class EightBitBlocks
{
    /// <summary>The implicit zero point of symmetric 8-bit blocks (MatMulNBits' default, 2^(bits − 1)).</summary>
    public const byte SymmetricZeroPoint = 128;

    /// <summary>The packed weight [N, k_blocks, block_size], scales [N × k_blocks] and zero points [N × k_blocks] (null when symmetric).</summary>
    public sealed record Result(byte[] B, float[] Scales, byte[]? ZeroPoints);

    /// <summary>Quantizes B[<paramref name="k"/>, <paramref name="n"/>]; K is padded to whole blocks with each block's zero point.</summary>
    public static Result Quantize(ReadOnlySpan<float> weight, int k, int n, int blockSize, bool symmetric)
    {
        if (blockSize <= 0 || weight.Length != (long)k * n)
        {
            throw new ArgumentException($"Expected {k} × {n} values and a positive block size, got {weight.Length} values and block size {blockSize}.");
        }

        int blocks = (k + blockSize - 1) / blockSize;
        var result = new Result(new byte[(long)n * blocks * blockSize], new float[(long)n * blocks], symmetric ? null : new byte[(long)n * blocks]);
        var column = new float[blockSize];
        for (int c = 0; c < n; c++)
        {
            for (int b = 0; b < blocks; b++)
            {
                int first = b * blockSize, count = Math.Min(blockSize, k - first);
                for (int r = 0; r < count; r++)
                {
                    column[r] = weight[((first + r) * n) + c];
                }

                long parameters = ((long)c * blocks) + b;
                var levels = result.B.AsSpan((int)(parameters * blockSize), blockSize);
                var (scale, zeroPoint) = QuantizeBlock(column.AsSpan(0, count), symmetric, levels);
                levels[count..].Fill(zeroPoint);
                result.Scales[parameters] = scale;
                if (result.ZeroPoints is { } zeroPoints)
                {
                    zeroPoints[parameters] = zeroPoint;
                }
            }
        }

        return result;
    }

    /// <summary>One block's levels into <paramref name="levels"/>, and its scale and zero point.</summary>
    public static (float Scale, byte ZeroPoint) QuantizeBlock(ReadOnlySpan<float> block, bool symmetric, Span<byte> levels)
    {
        float min = 0f, max = 0f;
        foreach (var v in block)
        {
            min = MathF.Min(min, v);
            max = MathF.Max(max, v);
        }

        float scale;
        byte zeroPoint;
        if (symmetric)
        {
            // The negative extreme wins a tie, as for 4 bits, so the result never depends on element order.
            float extreme = MathF.Abs(max) > MathF.Abs(min) ? max : min;
            (scale, zeroPoint) = (extreme == 0f ? 0f : extreme / -128f, SymmetricZeroPoint);
        }
        else
        {
            scale = (max - min) / byte.MaxValue;
            zeroPoint = scale == 0f ? (byte)0 : (byte)Math.Clamp(MathF.Round(-min / scale, MidpointRounding.AwayFromZero), 0f, byte.MaxValue);
        }

        float reciprocal = scale != 0f ? 1f / scale : 0f;
        bool divide = float.IsInfinity(reciprocal); // a subnormal scale: divide, as the 4-bit path does
        for (int i = 0; i < block.Length; i++)
        {
            float scaled = divide ? block[i] / scale : block[i] * reciprocal;
            levels[i] = (byte)Math.Clamp(MathF.Round(scaled, MidpointRounding.AwayFromZero) + zeroPoint, 0f, byte.MaxValue);
        }

        return (scale, zeroPoint);
    }

    /// <summary>The value a level stands for: (q − zeroPoint) × scale.</summary>
    public static float Dequantize(byte level, float scale, byte zeroPoint) => (level - zeroPoint) * scale;
}
