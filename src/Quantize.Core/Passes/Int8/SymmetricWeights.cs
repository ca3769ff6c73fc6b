using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Quantize.Core.Numerics;

namespace Quantize.Core.Passes.Int8;

/// <summary>A weight matrix stored as int8 with one scale per tensor or one per column (zero points are all 0).</summary>
/// <param name="Values">Row-major int8 values (as their bytes, ready to become raw_data), same shape as the float matrix.</param>
/// <param name="Scales">One scale (per tensor) or one per column.</param>
internal sealed record QuantizedMatrix(byte[] Values, float[] Scales)
{
    /// <summary>True when there is one scale per column.</summary>
    public bool PerColumn => Scales.Length > 1;
}

/// <summary>What one pass over a row-major weight learns: whether every value is finite, and each column's max |w|.</summary>
/// <param name="AllFinite">False when some value is NaN or infinite (the other fields are then meaningless).</param>
/// <param name="ColumnMaxMagnitude">max |w| of each column.</param>
internal sealed record WeightStatistics(bool AllFinite, float[] ColumnMaxMagnitude)
{
    /// <summary>max |w| over the whole tensor.</summary>
    public float MaxMagnitude => ColumnMaxMagnitude.Length == 0 ? 0f : TensorPrimitives.Max<float>(ColumnMaxMagnitude);
}

/// <summary>
/// Symmetric int8 weight quantization (docs/numerics.md: ±127, zero point 0). Symmetric weights are what the
/// u8×s8 integer GEMM kernels expect, and a zero point of 0 keeps the kernel's correction terms away.
/// Large weights are measured and quantized in row chunks on all cores; every chunk writes only its own
/// rows and the statistics combine with max, which is exact, so the bytes do not depend on the thread count.
/// </summary>
internal static class SymmetricWeights
{
    /// <summary>
    /// Per-tensor rounding error above this multiple of the per-column error sends a weight to per-column
    /// scales even when per-tensor was asked for. Transformer FFN output weights carry a few outlier columns
    /// (all-MiniLM-L6-v2: max |w| up to 175× the RMS) whose range would set the step for every column and
    /// round most weights to −1, 0 or 1; per-tensor there costs 3 points of embedding cosine. Ordinary
    /// weights measure 1.3–3, outlier-dominated ones 4.6–17, so 4 separates them with margin.
    /// </summary>
    public const double OutlierErrorRatio = 4;

    /// <summary>Elements per parallel work item: large enough to amortize scheduling, small enough to balance two cores.</summary>
    private const int ChunkElements = 1 << 16;

    /// <summary>Measures a row-major <paramref name="rows"/>×<paramref name="columns"/> matrix in one fused pass.</summary>
    public static WeightStatistics Measure(ReadOnlyMemory<float> values, int rows, int columns)
    {
        var chunks = Chunks(rows, columns);
        var partial = new float[chunks.Count][];
        var finite = new bool[chunks.Count];
        ForEachChunk(chunks, c =>
        {
            var (first, count) = chunks[c];
            var columnMax = new float[columns];
            finite[c] = MeasureRows(values.Span.Slice(first * columns, count * columns), columns, columnMax);
            partial[c] = columnMax;
        });

        var combined = new float[columns];
        foreach (var columnMax in partial)
        {
            TensorPrimitives.Max(combined, columnMax, combined);
        }

        return new WeightStatistics(finite.All(f => f), combined);
    }

    /// <summary>Quantizes a row-major <paramref name="rows"/>×<paramref name="columns"/> matrix measured by <paramref name="statistics"/>.</summary>
    public static QuantizedMatrix Quantize(ReadOnlyMemory<float> values, int rows, int columns, bool perColumn, WeightStatistics statistics)
    {
        var (qmin, qmax) = IntegerRange.Int8Symmetric;
        var quantized = new byte[values.Length];
        var parameters = ParametersOf(perColumn, statistics);
        var scales = parameters.Select(p => p.Scale).ToArray();
        var chunks = Chunks(rows, columns);
        ForEachChunk(chunks, c =>
        {
            var (first, count) = chunks[c];
            var source = values.Span.Slice(first * columns, count * columns);
            var target = MemoryMarshal.Cast<byte, sbyte>(quantized.AsSpan(first * columns, count * columns));
            if (!perColumn)
            {
                LinearQuantizer.QuantizeToInt8(source, parameters[0], qmin, qmax, target);
                return;
            }

            // Row by row against the vector of column scales: the same divide, round, add, clamp per element as
            // quantizing each column on its own, without gathering strided columns.
            var scratch = new float[columns];
            for (int r = 0; r < count; r++)
            {
                var row = source.Slice(r * columns, columns);
                TensorPrimitives.Divide(row, scales, scratch);
                TensorPrimitives.Round(scratch, MidpointRounding.ToEven, scratch);
                TensorPrimitives.Add(scratch, 0f, scratch); // zero point 0, added as the scalar reference does
                TensorPrimitives.Clamp(scratch, qmin, qmax, scratch);
                VectorNarrowing.ToSBytes(scratch, target.Slice(r * columns, columns));
            }
        });

        return new QuantizedMatrix(quantized, scales);
    }

    /// <summary>
    /// <see cref="Measure"/> of the transpose of a row-major <paramref name="rows"/>×<paramref name="columns"/> matrix
    /// (a weight stored [N, K], read through a Transpose), without transposing it: the weight's columns are the stored
    /// rows. The caller has checked that every value is finite.
    /// </summary>
    public static WeightStatistics MeasureTransposed(ReadOnlyMemory<float> values, int rows, int columns)
    {
        var rowMax = new float[rows];
        var chunks = Chunks(rows, columns);
        ForEachChunk(chunks, c =>
        {
            var (first, count) = chunks[c];
            for (int r = first; r < first + count; r++)
            {
                rowMax[r] = MathF.Abs(TensorPrimitives.MaxMagnitude(values.Span.Slice(r * columns, columns)));
            }
        });

        return new WeightStatistics(AllFinite: true, rowMax);
    }

    /// <summary>
    /// <see cref="Quantize"/> of the transpose of a row-major <paramref name="rows"/>×<paramref name="columns"/> matrix
    /// measured by <see cref="MeasureTransposed"/>: each stored row is quantized with its own scale (the same arithmetic,
    /// element by element) and the bytes are transposed, which costs a quarter of transposing the floats. Returns the
    /// weight [columns, rows].
    /// </summary>
    public static QuantizedMatrix QuantizeTransposed(ReadOnlyMemory<float> values, int rows, int columns, bool perColumn, WeightStatistics statistics)
    {
        var (qmin, qmax) = IntegerRange.Int8Symmetric;
        var stored = new byte[values.Length];
        var parameters = ParametersOf(perColumn, statistics);
        var chunks = Chunks(rows, columns);
        ForEachChunk(chunks, c =>
        {
            var (first, count) = chunks[c];
            for (int r = first; r < first + count; r++)
            {
                LinearQuantizer.QuantizeToInt8(values.Span.Slice(r * columns, columns), parameters[perColumn ? r : 0], qmin, qmax,
                    MemoryMarshal.Cast<byte, sbyte>(stored.AsSpan(r * columns, columns)));
            }
        });

        return new QuantizedMatrix(MatrixTranspose.Of(stored, rows, columns), [.. parameters.Select(p => p.Scale)]);
    }

    /// <summary>
    /// How many times larger the RMS rounding error of one per-tensor scale is than that of per-column
    /// scales: max |w| over the RMS of the column maxima (rounding error is proportional to the step).
    /// </summary>
    public static double PerTensorErrorRatio(WeightStatistics statistics)
    {
        var columnMax = statistics.ColumnMaxMagnitude;
        double overall = statistics.MaxMagnitude;
        double rms = Math.Sqrt(TensorPrimitives.SumOfSquares<double>([.. columnMax.Select(m => (double)m)]) / columnMax.Length);
        return rms == 0 ? 1 : overall / rms;
    }

    /// <summary>Per-column when asked for, or when a few outlier columns would dominate one scale.</summary>
    public static bool UsePerColumn(WeightStatistics statistics, bool perChannelRequested)
    {
        int columns = statistics.ColumnMaxMagnitude.Length;
        return columns > 1 && (perChannelRequested || PerTensorErrorRatio(statistics) > OutlierErrorRatio);
    }

    /// <summary>
    /// One scale per column, or one for the tensor. Symmetric ranges depend on max |w| only: FromRange(−m, m) equals
    /// FromRange(min, max) for m = max(|min|, |max|).
    /// </summary>
    private static QuantizationParameters[] ParametersOf(bool perColumn, WeightStatistics statistics) => perColumn
        ? [.. statistics.ColumnMaxMagnitude.Select(m => ParametersFor(m))]
        : [ParametersFor(statistics.MaxMagnitude)];

    private static QuantizationParameters ParametersFor(float maxMagnitude)
    {
        var (qmin, qmax) = IntegerRange.Int8Symmetric;
        return QuantizationParameters.FromRange(-maxMagnitude, maxMagnitude, qmin, qmax, symmetric: true);
    }

    /// <summary>Folds |w| of each row into <paramref name="columnMax"/>; false when a value is NaN or infinite.</summary>
    private static bool MeasureRows(ReadOnlySpan<float> values, int columns, Span<float> columnMax)
    {
        int width = Vector<float>.Count;
        // x − x is 0 for every finite x and NaN for NaN or ±infinity; NaN never equals 0.
        var finite = Vector<int>.AllBitsSet;
        bool scalarFinite = true;
        for (int start = 0; start < values.Length; start += columns)
        {
            var row = values.Slice(start, columns);
            int c = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; c <= columns - width; c += width)
                {
                    var v = new Vector<float>(row.Slice(c, width));
                    finite &= Vector.Equals(v - v, Vector<float>.Zero);
                    Vector.Max(new Vector<float>(columnMax.Slice(c, width)), Vector.Abs(v)).CopyTo(columnMax.Slice(c, width));
                }
            }

            for (; c < columns; c++)
            {
                float v = row[c];
                scalarFinite &= float.IsFinite(v);
                columnMax[c] = MathF.Max(columnMax[c], MathF.Abs(v));
            }
        }

        return scalarFinite && finite == Vector<int>.AllBitsSet;
    }

    private static List<(int First, int Count)> Chunks(int rows, int columns)
    {
        int rowsPerChunk = Math.Max(1, ChunkElements / Math.Max(1, columns));
        var chunks = new List<(int, int)>();
        for (int first = 0; first < rows; first += rowsPerChunk)
        {
            chunks.Add((first, Math.Min(rowsPerChunk, rows - first)));
        }

        return chunks;
    }

    private static void ForEachChunk(List<(int First, int Count)> chunks, Action<int> body)
    {
        if (chunks.Count == 1)
        {
            body(0);
        }
        else
        {
            Parallel.For(0, chunks.Count, body);
        }
    }
}
