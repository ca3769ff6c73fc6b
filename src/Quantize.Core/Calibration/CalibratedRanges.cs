using Quantize.Core.Diagnostics;

namespace Quantize.Core.Calibration;

/// <summary>Activation ranges obtained once, with how they were obtained and what the calibrator warned about.</summary>
/// <param name="Ranges">The ranges.</param>
/// <param name="Report">How they were obtained.</param>
/// <param name="Warnings">Calibration warnings (few samples...).</param>
internal sealed record CalibratedRanges(ActivationRanges Ranges, CalibrationReport Report, IReadOnlyList<Diagnostic> Warnings);
