using System.Numerics.Tensors;

namespace Quantize.Core.Evaluation;

/// <summary>
/// Folds one graph output's float/quantized pairs into <see cref="OutputMetrics"/>, one sample at a time, so
/// memory does not grow with the number of samples. Sums are taken with SIMD over chunks in float and added
/// up in double, which keeps float round-off bounded by the chunk length rather than the output's size.
/// </summary>
/// <remarks>
/// Edge cases, defined so that no metric is ever undefined for finite outputs:
/// <list type="bullet">
/// <item>Identical outputs (every element equal): cosine 1, SQNR +∞, relative L2 0, max abs error 0 — also when both are all zeros.</item>
/// <item>A sample whose float output is all zeros but whose quantized output is not (or the reverse): cosine 0 for that sample.</item>
/// <item>Float outputs all zero over every sample while the quantized ones are not: SQNR −∞, relative L2 +∞.</item>
/// <item>A NaN anywhere in either output makes cosine, SQNR, relative L2 and max abs error NaN, which fails every gate.</item>
/// <item>Top-1: arg-max over the last axis per row (rows = elements / last dimension); ties go to the first index, as in numpy.</item>
/// </list>
/// </remarks>
public sealed class MetricsAccumulator
{
    /// <summary>Elements per float-accumulated partial sum; small enough that float round-off stays near 1e-7 relative.</summary>
    private const int Chunk = 4096;

    private readonly string _output;
    private readonly bool _classScores;
    private readonly float[] _difference = new float[Chunk];
    private double _cosineSum;
    private double _signal;
    private double _noise;
    private double _maxAbs;
    private long _rows;
    private long _agreeingRows;
    private int _samples;

    /// <summary>Creates an accumulator for <paramref name="output"/>.</summary>
    /// <param name="output">The graph output's name.</param>
    /// <param name="classScores">True when the output holds class scores: top-1 agreement is measured.</param>
    public MetricsAccumulator(string output, bool classScores)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _classScores = classScores;
    }

    /// <summary>Samples added so far.</summary>
    public int SampleCount => _samples;

    /// <summary>Adds one sample's float output and the quantized model's output for the same input.</summary>
    /// <param name="reference">The float model's output, flattened.</param>
    /// <param name="quantized">The quantized model's output, flattened; must have the same length.</param>
    /// <param name="rowLength">The output's last dimension (for top-1 rows); 0 or less treats the whole output as one row.</param>
    public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> quantized, int rowLength = 0)
    {
        if (reference.Length != quantized.Length)
        {
            throw new ArgumentException($"Output '{_output}' has {reference.Length} elements in the float model but {quantized.Length} in the quantized model.", nameof(quantized));
        }

        double dot = 0, referenceSquares = 0, quantizedSquares = 0, noise = 0;
        for (int start = 0; start < reference.Length; start += Chunk)
        {
            int length = Math.Min(Chunk, reference.Length - start);
            var r = reference.Slice(start, length);
            var q = quantized.Slice(start, length);
            var difference = _difference.AsSpan(0, length);
            TensorPrimitives.Subtract(r, q, difference);
            dot += TensorPrimitives.Dot(r, q);
            referenceSquares += TensorPrimitives.SumOfSquares(r);
            quantizedSquares += TensorPrimitives.SumOfSquares(q);
            noise += TensorPrimitives.SumOfSquares(difference);
            // MaxMagnitude keeps the sign of the element it picks, and NaN when there is one.
            _maxAbs = Max(_maxAbs, Math.Abs(TensorPrimitives.MaxMagnitude(difference)));
        }

        _cosineSum += Cosine(dot, referenceSquares, quantizedSquares, noise);
        _signal += referenceSquares;
        _noise += noise;
        _samples++;
        if (_classScores)
        {
            CountTop1(reference, quantized, rowLength);
        }
    }

    /// <summary>The metrics over every sample added. Throws when no sample was added (there is nothing to say).</summary>
    public OutputMetrics Result()
    {
        if (_samples == 0)
        {
            throw new InvalidOperationException($"No sample of output '{_output}' was compared.");
        }

        double? top1 = _classScores ? (_rows == 0 ? 1 : (double)_agreeingRows / _rows) : null;
        return new OutputMetrics(_output, _cosineSum / _samples, Sqnr(_signal, _noise), _maxAbs, RelativeL2(_signal, _noise), top1);
    }

    /// <summary>
    /// Cosine of one sample. Identical vectors are 1 exactly (SIMD dot products of x·x and Σx² need not round
    /// alike, which would make a model compared with itself read 0.99999994); a zero vector against a non-zero
    /// one has no common direction: 0.
    /// </summary>
    private static double Cosine(double dot, double referenceSquares, double quantizedSquares, double noise)
    {
        if (noise == 0)
        {
            return 1;
        }

        if (double.IsNaN(noise) || double.IsNaN(dot))
        {
            return double.NaN;
        }

        if (referenceSquares == 0 || quantizedSquares == 0)
        {
            return 0;
        }

        return Math.Clamp(dot / Math.Sqrt(referenceSquares * quantizedSquares), -1, 1);
    }

    private static double Sqnr(double signal, double noise) => noise == 0 ? double.PositiveInfinity : 10 * Math.Log10(signal / noise);

    private static double RelativeL2(double signal, double noise) => noise == 0 ? 0 : Math.Sqrt(noise / signal);

    /// <summary>Max that propagates NaN (Math.Max does too, but say it: a NaN output must not be hidden by a later finite one).</summary>
    private static double Max(double current, double next) => double.IsNaN(current) ? current : Math.Max(current, next);

    private void CountTop1(ReadOnlySpan<float> reference, ReadOnlySpan<float> quantized, int rowLength)
    {
        if (reference.Length == 0)
        {
            return;
        }

        int row = rowLength > 0 && reference.Length % rowLength == 0 ? rowLength : reference.Length;
        for (int start = 0; start < reference.Length; start += row)
        {
            _rows++;
            if (TensorPrimitives.IndexOfMax(reference.Slice(start, row)) == TensorPrimitives.IndexOfMax(quantized.Slice(start, row)))
            {
                _agreeingRows++;
            }
        }
    }
}
