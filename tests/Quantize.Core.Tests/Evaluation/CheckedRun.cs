using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>
/// A checked run through the front door (<see cref="Quantizer.Run"/>, which stages the output and commits it only when
/// every check passed), in the argument order the quality-check tests read best.
/// </summary>
internal static class CheckedRun
{
    public static QuantizeResult Quantize(string inputPath, string outputPath, QuantizeOptions options, QualityCheckOptions quality,
        CalibrationSetup? calibration = null, IProgress<string>? progress = null, Action<QualityReport>? measured = null) =>
        Quantizer.Run(new QuantizeJob { InputPath = inputPath, OutputPath = outputPath, Options = options, Quality = quality, Calibration = calibration }, progress, measured);

    /// <summary>Static INT8 calibrated on <paramref name="data"/>, without a quality check.</summary>
    public static QuantizeResult Calibrated(string inputPath, string outputPath, QuantizeOptions options, CalibrationDataOptions data, CalibrationOptions calibration) =>
        Quantizer.Run(new QuantizeJob { InputPath = inputPath, OutputPath = outputPath, Options = options, Calibration = new CalibrationSetup(data, calibration) });
}
