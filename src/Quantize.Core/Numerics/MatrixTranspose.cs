namespace Quantize.Core.Numerics;

/// <summary>Row-major matrix transposition, for weights whose kernel wants the other layout.</summary>
internal static class MatrixTranspose
{
    /// <summary>The <paramref name="columns"/>×<paramref name="rows"/> transpose of a row-major <paramref name="rows"/>×<paramref name="columns"/> matrix.</summary>
    public static T[] Of<T>(ReadOnlySpan<T> rowMajor, int rows, int columns)
    {
        var result = new T[rowMajor.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                result[((long)c * rows) + r] = rowMajor[(int)(((long)r * columns) + c)];
            }
        }

        return result;
    }

    /// <summary>As above, for an array (generic inference does not see through the span conversion).</summary>
    public static T[] Of<T>(T[] rowMajor, int rows, int columns) => Of((ReadOnlySpan<T>)rowMajor, rows, columns);
}
