namespace Quantize.Core.Calibration.Statistics;

/// <summary>
/// Exact running min/max over all samples, or, with an averaging constant c, ONNX Runtime's moving average
/// (range ← range + c·(sample range − range)) which damps a few extreme samples.
/// </summary>
internal sealed class MinMaxStatistics(double? averagingConstant) : ITensorStatistics
{
    private bool _any;
    private double _min;
    private double _max;

    public void Add(ReadOnlySpan<float> values)
    {
        if (FiniteRange.Of(values) is not var (min, max))
        {
            return;
        }

        if (!_any)
        {
            (_min, _max, _any) = (min, max, true);
        }
        else if (averagingConstant is double c)
        {
            _min += c * (min - _min);
            _max += c * (max - _max);
        }
        else
        {
            _min = Math.Min(_min, min);
            _max = Math.Max(_max, max);
        }
    }

    public TensorRange? Range() => _any ? new TensorRange((float)_min, (float)_max) : null;
}
