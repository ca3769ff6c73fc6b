namespace Quantize.Core.Calibration;

/// <summary>What saved ranges were computed from: the <see cref="CalibrationFingerprint"/> and how many samples.</summary>
/// <param name="Fingerprint">The calibration fingerprint.</param>
/// <param name="SampleCount">Samples the ranges were computed on.</param>
public sealed record RangesStamp(string Fingerprint, int SampleCount);
