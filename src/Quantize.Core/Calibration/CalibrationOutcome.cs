using Quantize.Core.Diagnostics;

namespace Quantize.Core.Calibration;

/// <summary>What a calibration run produced.</summary>
/// <param name="Ranges">The activation ranges.</param>
/// <param name="SampleCount">Samples the model ran on.</param>
/// <param name="Warnings">Warnings (e.g. QNT1004 for a small set).</param>
public sealed record CalibrationOutcome(ActivationRanges Ranges, int SampleCount, IReadOnlyList<Diagnostic> Warnings)
{
    /// <summary>How the run went where it differs from what was asked (e.g. "one sample at a time: ...").</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
