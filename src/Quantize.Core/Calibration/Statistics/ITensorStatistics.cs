namespace Quantize.Core.Calibration.Statistics;

/// <summary>Running statistics of one tensor: each fetched value is folded in and can be released at once.</summary>
internal interface ITensorStatistics
{
    /// <summary>Folds one sample's values in (non-finite values are ignored).</summary>
    void Add(ReadOnlySpan<float> values);

    /// <summary>Folds in one fetched tensor whose <paramref name="shape"/> is known (statistics per channel need it).</summary>
    void Add(ReadOnlySpan<float> values, ReadOnlySpan<long> shape) => Add(values);

    /// <summary>The calibrated range after everything added so far; null when nothing finite was seen.</summary>
    TensorRange? Range();
}
