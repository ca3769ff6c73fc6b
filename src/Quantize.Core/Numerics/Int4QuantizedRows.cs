namespace Quantize.Core.Numerics;

/// <summary>
/// Vectors quantized block-wise to 4-bit levels, unpacked (one level per byte) so that each operator
/// layout (MatMulNBits, GatherBlockQuantized, block-wise DequantizeLinear) can be packed from it.
/// </summary>
public sealed class Int4QuantizedRows
{
    /// <summary>Allocates storage for <paramref name="rows"/> vectors of <paramref name="length"/> values.</summary>
    public Int4QuantizedRows(int rows, int length, int blockSize, bool symmetric)
    {
        Rows = rows;
        Length = length;
        BlockSize = blockSize;
        Symmetric = symmetric;
        BlocksPerRow = (length + blockSize - 1) / blockSize;
        Levels = new byte[(long)rows * BlocksPerRow * blockSize];
        Scales = new float[(long)rows * BlocksPerRow];
        ZeroPoints = new byte[Scales.Length];
    }

    /// <summary>Number of quantized vectors (N for a MatMul weight, the vocabulary for an embedding).</summary>
    public int Rows { get; }

    /// <summary>Real values per vector, before padding (K, or the embedding width).</summary>
    public int Length { get; }

    /// <summary>Values per block.</summary>
    public int BlockSize { get; }

    /// <summary>True when every zero point is the implicit 8.</summary>
    public bool Symmetric { get; }

    /// <summary>Blocks per vector: ceil(Length / BlockSize).</summary>
    public int BlocksPerRow { get; }

    /// <summary>Vector length padded to whole blocks.</summary>
    public int PaddedLength => BlocksPerRow * BlockSize;

    /// <summary>Levels 0..15, [Rows, PaddedLength] row-major; padding holds the block's zero point.</summary>
    public byte[] Levels { get; }

    /// <summary>Scales, [Rows, BlocksPerRow] row-major.</summary>
    public float[] Scales { get; }

    /// <summary>Zero points 0..15, [Rows, BlocksPerRow] row-major (all 8 when symmetric).</summary>
    public byte[] ZeroPoints { get; }

    /// <summary>The dequantized value of element <paramref name="index"/> of row <paramref name="row"/>.</summary>
    public float Dequantize(int row, int index)
    {
        int block = (row * BlocksPerRow) + (index / BlockSize);
        return Int4BlockQuantizer.Dequantize(Levels[((long)row * PaddedLength) + index], Scales[block], ZeroPoints[block]);
    }
}
