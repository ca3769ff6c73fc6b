namespace Quantize.Core.Numerics;

/// <summary>Row-major matrix transposition, for weights whose kernel wants the other layout.</summary>
internal static class MatrixTranspose
{
    /// <summary>The <paramref name="columns"/>×<paramref name="rows"/> transpose of a row-major <paramref name="rows"/>×<paramref name="columns"/> matrix.</summary>
    public static float[] Of(ReadOnlySpan<float> rowMajor, int rows, int columns)
    {
        var result = new float[rowMajor.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                result[((long)c * rows) + r] = rowMajor[(int)(((long)r * columns) + c)];
            }
        }

        return result;
    }
}
