namespace Quantize.Core.Calibration.Statistics;

/// <summary>Percentile or entropy ranges of one tensor, from a streaming histogram.</summary>
internal sealed class HistogramStatistics(int bins, Func<StreamingHistogram, TensorRange> threshold) : ITensorStatistics
{
    private readonly StreamingHistogram _histogram = new(bins);

    public void Add(ReadOnlySpan<float> values) => _histogram.Add(values);

    public TensorRange? Range()
    {
        if (_histogram.Total == 0)
        {
            return null;
        }

        // A constant-zero tensor has no histogram range to search.
        return _histogram.HalfRange == 0 ? new TensorRange(_histogram.Min, _histogram.Max) : threshold(_histogram);
    }
}
