using System.Numerics.Tensors;

namespace Quantize.Core.Calibration.Statistics;

/// <summary>
/// XᵀX of a MatMul's input over every calibration row: the tensor's values, read as rows of its last dimension
/// (<paramref name="width"/> = the weight's K), each adding x·xᵀ. GPTQ's Hessian of the layer's reconstruction error
/// is 2·XᵀX; the factor cancels in its updates, so it is left out. Rows with a non-finite value are skipped.
/// Its range is the plain min/max, so it can stand where the calibrator expects a range.
/// </summary>
internal sealed class HessianStatistics(int width) : ITensorStatistics
{
    private readonly MinMaxStatistics _range = new(averagingConstant: null);
    private readonly double[] _row = new double[width];

    /// <summary>XᵀX [width, width], row-major.</summary>
    public double[] Hessian { get; } = new double[(long)width * width];

    /// <summary>Rows folded in.</summary>
    public long Rows { get; private set; }

    public void Add(ReadOnlySpan<float> values)
    {
        if (values.Length % width != 0)
        {
            throw new ArgumentException($"A tensor of {values.Length} values is not rows of {width}.", nameof(values));
        }

        _range.Add(values);
        for (int start = 0; start < values.Length; start += width)
        {
            var x = values.Slice(start, width);
            if (!TensorPrimitives.IsFiniteAll(x))
            {
                continue;
            }

            for (int i = 0; i < width; i++)
            {
                _row[i] = x[i];
            }

            // Symmetric rank-one update, one vectorized row at a time: H[i, :] += x[i]·x.
            for (int i = 0; i < width; i++)
            {
                if (_row[i] != 0)
                {
                    var target = Hessian.AsSpan(i * width, width);
                    TensorPrimitives.MultiplyAdd(_row, _row[i], target, target);
                }
            }

            Rows++;
        }
    }

    public TensorRange? Range() => _range.Range();
}
