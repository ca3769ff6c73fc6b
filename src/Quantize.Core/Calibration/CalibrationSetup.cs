using Quantize.Core.Calibration.Data;

namespace Quantize.Core.Calibration;

/// <summary>Static INT8's inputs in one value: the calibration data, the method, and where ranges are kept.</summary>
/// <param name="Data">Where the calibration samples come from and how files become model inputs.</param>
/// <param name="Options">The calibration method and its settings.</param>
/// <param name="RangesCachePath">A ranges JSON reused when its fingerprint matches and written otherwise; null calibrates every time.</param>
/// <param name="Fingerprint">The <see cref="CalibrationFingerprint"/> of this model, <paramref name="Data"/> and <paramref name="Options"/> when the
/// caller already computed it (the build's cache key includes it); null computes it when needed.</param>
public sealed record CalibrationSetup(CalibrationDataOptions Data, CalibrationOptions Options, string? RangesCachePath = null, string? Fingerprint = null);
