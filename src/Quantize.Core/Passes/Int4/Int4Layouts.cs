using Quantize.Core.Numerics;

namespace Quantize.Core.Passes.Int4;

/// <summary>
/// Lays quantized rows out in the byte order each consumer expects. The rows are always the vectors
/// quantized along their length: columns of a MatMul weight B[K, N] (so K is the row length) and rows
/// of an embedding table [V, D].
/// </summary>
internal static class Int4Layouts
{
    /// <summary>
    /// MatMulNBits: B uint8 [N, k_blocks, block_size / 2] (K padded to whole blocks), scales [N × k_blocks],
    /// zero points (asymmetric only) uint8 [N × ceil(k_blocks / 2)], nibbles low first.
    /// </summary>
    public static (byte[] B, float[] Scales, byte[]? ZeroPoints) MatMulNBits(Int4QuantizedRows rows)
    {
        // Each row's padded length is a whole number of blocks, hence even: the rows pack back to back.
        var b = Int4Packing.Pack(rows.Levels);
        return (b, rows.Scales, rows.Symmetric ? null : PackZeroPointsPerRow(rows));
    }

    /// <summary>
    /// GatherBlockQuantized with uint8 data and bits = 4: data [V, D / 2] (no padding: the kernel derives
    /// the width from the packed shape), scales [V, k_blocks], zero points (asymmetric only) uint8
    /// [V, ceil(k_blocks / 2)]; without zero points the kernel uses 8, the symmetric zero point.
    /// </summary>
    public static (byte[] Data, float[] Scales, byte[]? ZeroPoints) GatherBlockQuantized(Int4QuantizedRows rows)
    {
        int width = rows.Length;
        var data = new byte[(long)rows.Rows * width / 2];
        for (int r = 0; r < rows.Rows; r++)
        {
            Int4Packing.Pack(rows.Levels.AsSpan(r * rows.PaddedLength, width), data.AsSpan(r * width / 2, width / 2));
        }

        return (data, rows.Scales, rows.Symmetric ? null : PackZeroPointsPerRow(rows));
    }

    /// <summary>
    /// Block-wise DequantizeLinear (opset 21) over a tensor whose quantized vectors run along
    /// <paramref name="alongFirstAxis"/> ? axis 0 (a MatMul weight [K, N]) : axis 1 (a table [V, D]).
    /// Symmetric blocks become int4 (level − 8, zero point 0 implied); asymmetric ones uint4 with a uint4
    /// zero-point tensor. Scales and zero points have the data's shape with the blocked axis reduced to
    /// k_blocks.
    /// </summary>
    public static (byte[] Data, long[] DataDims, float[] Scales, byte[]? ZeroPoints, long[] ParameterDims) Dequantizable(Int4QuantizedRows rows, bool alongFirstAxis)
    {
        int n = rows.Rows;
        int length = rows.Length;
        int blocks = rows.BlocksPerRow;
        var levels = new byte[(long)n * length];
        var scales = new float[rows.Scales.Length];
        var zeroPoints = new byte[rows.ZeroPoints.Length];
        // int4 is two's complement: level − 8 in a nibble is level XOR 8.
        byte flip = rows.Symmetric ? (byte)0x08 : (byte)0;
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < length; i++)
            {
                long target = alongFirstAxis ? ((long)i * n) + r : ((long)r * length) + i;
                levels[target] = (byte)(rows.Levels[((long)r * rows.PaddedLength) + i] ^ flip);
            }

            for (int b = 0; b < blocks; b++)
            {
                long target = alongFirstAxis ? ((long)b * n) + r : ((long)r * blocks) + b;
                scales[target] = rows.Scales[(r * blocks) + b];
                zeroPoints[target] = rows.ZeroPoints[(r * blocks) + b];
            }
        }

        long[] dataDims = alongFirstAxis ? [length, n] : [n, length];
        long[] parameterDims = alongFirstAxis ? [blocks, n] : [n, blocks];
        return (Int4Packing.Pack(levels), dataDims, scales, rows.Symmetric ? null : Int4Packing.Pack(zeroPoints), parameterDims);
    }

    private static byte[] PackZeroPointsPerRow(Int4QuantizedRows rows) => PackZeroPointsPerRow(rows.ZeroPoints, rows.Rows, rows.BlocksPerRow);

    /// <summary>Zero points [rows, blocksPerRow] packed two to a byte, each row starting on a byte boundary.</summary>
    public static byte[] PackZeroPointsPerRow(byte[] zeroPoints, int rows, int blocksPerRow)
    {
        int perRow = (blocksPerRow + 1) / 2;
        var packed = new byte[(long)rows * perRow];
        for (int r = 0; r < rows; r++)
        {
            Int4Packing.Pack(zeroPoints.AsSpan(r * blocksPerRow, blocksPerRow), packed.AsSpan(r * perRow, perRow));
        }

        return packed;
    }
}
