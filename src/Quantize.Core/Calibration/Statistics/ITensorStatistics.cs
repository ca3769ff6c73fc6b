namespace Quantize.Core.Calibration.Statistics;

/// <summary>Running statistics of one tensor: each fetched value is folded in and can be released at once.</summary>
internal interface ITensorStatistics
{
    /// <summary>Folds one sample's values in (non-finite values are ignored).</summary>
    void Add(ReadOnlySpan<float> values);

    /// <summary>The calibrated range after everything added so far; null when nothing finite was seen.</summary>
    TensorRange? Range();
}
