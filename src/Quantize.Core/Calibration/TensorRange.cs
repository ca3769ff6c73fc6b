namespace Quantize.Core.Calibration;

/// <summary>The real-valued range of one activation tensor, as calibration observed (or clipped) it.</summary>
/// <param name="Min">Lower end (before the quantizer widens it to include zero).</param>
/// <param name="Max">Upper end.</param>
public readonly record struct TensorRange(float Min, float Max);
