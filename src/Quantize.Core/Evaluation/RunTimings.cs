namespace Quantize.Core.Evaluation;

/// <summary>
/// Latencies of the float and quantized runs an evaluation makes anyway, one pair per sample, the order
/// alternating (F,Q then Q,F) so drift cancels as in the dedicated <see cref="SpeedCheck"/>. With enough
/// samples these are the speed measurement, over real inputs, at no extra cost.
/// </summary>
public sealed class RunTimings
{
    /// <summary>Pairs recorded before these many samples are not kept: the first runs grow arenas and warm caches.</summary>
    public const int WarmUpSamples = 1;

    /// <summary>Kept pairs from which the evaluation's timings replace the dedicated speed check.</summary>
    public const int EnoughForSpeed = 20;

    private readonly List<double> _float = [];
    private readonly List<double> _quantized = [];
    private int _seen;

    /// <summary>Timed pairs kept (after warm-up).</summary>
    public int Count => _float.Count;

    /// <summary>Records one sample's two run times.</summary>
    public void Add(double floatMs, double quantizedMs)
    {
        if (_seen++ < WarmUpSamples)
        {
            return;
        }

        _float.Add(floatMs);
        _quantized.Add(quantizedMs);
    }

    /// <summary>Median latencies of the kept pairs.</summary>
    public SpeedResult ToSpeedResult() => Count == 0
        ? throw new InvalidOperationException("No timed runs were kept.")
        : SpeedResult.FromPairedRuns(_float, _quantized);
}
