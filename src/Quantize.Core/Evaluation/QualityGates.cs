namespace Quantize.Core.Evaluation;

/// <summary>
/// One-sided thresholds the quantized model must meet; a null gate is not checked. Part of the build's
/// cache key: changing a gate re-evaluates (and, with AutoMixedPrecision, may re-quantize).
/// </summary>
public sealed record QualityGates
{
    /// <summary>Every output's mean cosine must be at least this.</summary>
    public double? MinCosine { get; init; }

    /// <summary>Every output's SQNR (dB) must be at least this.</summary>
    public double? MinSqnr { get; init; }

    /// <summary>Top-1 agreement of class-score outputs may drop at most this fraction (0.01 = one point).</summary>
    public double? MaxTop1Drop { get; init; }

    /// <summary>Float latency / quantized latency must be at least this (1.2 = 20 % faster).</summary>
    public double? MinSpeedup { get; init; }

    /// <summary>True when no gate is set.</summary>
    public bool IsEmpty => MinCosine is null && MinSqnr is null && MaxTop1Drop is null && MinSpeedup is null;
}
