using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;

namespace Quantize.Cli.Commands;

/// <summary>Static INT8: where the calibration samples come from, how ranges are computed, where they are kept.</summary>
/// <param name="Data">The calibration files and their preprocessing.</param>
/// <param name="Options">The calibration method and its settings.</param>
/// <param name="RangesCachePath">Ranges JSON reused when its fingerprint matches (--ranges-cache), or null.</param>
internal sealed record CalibrationRequest(CalibrationDataOptions Data, CalibrationOptions Options, string? RangesCachePath);
