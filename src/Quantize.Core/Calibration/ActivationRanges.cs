using System.Collections.ObjectModel;

namespace Quantize.Core.Calibration;

/// <summary>
/// The calibrated ranges of a model's activations, keyed by tensor name: what the calibrator produces
/// and the static INT8 (QDQ) quantizer consumes. Saved beside a cached model so that re-quantizing with
/// other quantizer settings but the same data and method does not recalibrate.
/// </summary>
public sealed class ActivationRanges
{
    /// <summary>Creates ranges computed by <paramref name="method"/> (e.g. "MinMax", "Percentile 99.999").</summary>
    public ActivationRanges(IDictionary<string, TensorRange> ranges, string method)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        Ranges = new ReadOnlyDictionary<string, TensorRange>(new SortedDictionary<string, TensorRange>(ranges, StringComparer.Ordinal));
        Method = method;
    }

    /// <summary>Every calibrated tensor, in ordinal name order (deterministic when serialized).</summary>
    public IReadOnlyDictionary<string, TensorRange> Ranges { get; }

    /// <summary>How the ranges were computed.</summary>
    public string Method { get; }

    /// <summary>The range of <paramref name="tensor"/>, if it was calibrated.</summary>
    public bool TryGet(string tensor, out TensorRange range) => Ranges.TryGetValue(tensor, out range);
}
