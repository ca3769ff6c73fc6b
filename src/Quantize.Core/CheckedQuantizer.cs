using Quantize.Core.Calibration;
using Quantize.Core.Diagnostics;
using Quantize.Core.Evaluation;
using Quantize.Core.MixedPrecision;
using Quantize.Core.Safety;

namespace Quantize.Core;

/// <summary>
/// Quantization with a quality check: quantize (calibrating when data is given), compare the result with the
/// float model on validation data or held-out calibration samples, time both, then apply the gates. Every attempt is
/// written to the run's one staged path; a failure is QNT0018 (and the caller's staging never reaches the output).
/// Measuring opens the quantized model in ONNX Runtime, which is also the check that it loads (QNT0011).
/// </summary>
internal static class CheckedQuantizer
{
    /// <summary>
    /// Quantizes <paramref name="inputPath"/> into <paramref name="stagedPath"/> and checks the result; the
    /// returned result's <see cref="QuantizeResult.Quality"/> holds what was measured.
    /// </summary>
    /// <param name="inputPath">The float model.</param>
    /// <param name="stagedPath">Where to write each attempt: a path in the run's <see cref="StagedOutput"/>, moved into place by the caller once this returns.</param>
    /// <param name="options">Quantizer settings.</param>
    /// <param name="quality">What to measure and the gates to meet.</param>
    /// <param name="calibration">Static INT8's calibration data and method; null for every other precision.</param>
    /// <param name="progress">Receives short phase descriptions.</param>
    /// <param name="measured">Called with the report once gates are decided, before a failure is thrown, so a report can be written for a failed check too.</param>
    /// <exception cref="QuantizeException">QNT0018 when a gate fails, QNT0027 when the collapse guard refuses the result, QNT0020 when an accuracy gate has no data, and every error of quantization.</exception>
    public static QuantizeResult Quantize(string inputPath, string stagedPath, QuantizeOptions options, QualityCheckOptions quality,
        CalibrationSetup? calibration = null, IProgress<string>? progress = null, Action<QualityReport>? measured = null)
    {
        var check = QualityCheck.Prepare(inputPath, options, quality, calibration);
        var result = check.Attempt(stagedPath, [], measureSpeed: true, progress);
        var report = result.Quality!;
        report.Failures.AddRange(GateChecker.Check(quality.Gates, report.Evaluation, report.Speed));
        // Keeping nodes in float can fix accuracy, never speed: search only for a failed accuracy gate.
        bool search = quality.AutoMixedPrecision && report.Failures.Any(f => f.Metric != GateChecker.MinSpeedup);
        if (search)
        {
            result = AutoMixedPrecisionSearch.Search(check, stagedPath, result, progress);
            report = result.Quality!;
        }
        else
        {
            // Without gates to meet, the guard still refuses a collapse (QNT0027); with gates, they decide.
            var collapsed = CollapseGuard.Check(quality, report.Evaluation);
            report.Failures.AddRange(collapsed);
            if (collapsed.Count == 0 && CollapseGuard.Applies(quality, report.Evaluation))
            {
                report.Notes.Add(CollapseGuard.Passed(report.Evaluation!));
            }

            // The report's per-layer chart, and for a failed accuracy gate or guard the layers its message names: the
            // cheap local-error probe for the chart, the end-to-end ranking only when something failed and the user must act.
            bool accuracyFailed = report.Failures.Any(f => f.Metric != GateChecker.MinSpeedup);
            if (check.EvaluationSamples is not null && result.QuantizedNodes.Count > 0 && (quality.LayerChart || accuracyFailed))
            {
                report.Layers.AddRange(SensitivityAnalyzer.RankQuantized(check, stagedPath, result, withGains: accuracyFailed, progress));
            }
        }

        measured?.Invoke(report);
        if (report.Failures.Count > 0)
        {
            throw search && report.Failures.Any(f => f.Metric != GateChecker.MinSpeedup)
                ? new QuantizeException(ErrorCodes.NoMixMeetsGates, inputPath, AutoMixedPrecisionSearch.NoMixMessage(report, quality.MaxFallbacks))
                : report.Failures.Any(f => f.Metric == CollapseGuard.Metric)
                ? new QuantizeException(ErrorCodes.QuantizationCollapsed, inputPath, CollapseGuard.Message(report))
                : new QuantizeException(ErrorCodes.QualityGateFailed, inputPath, GateFailureMessage.Format(report));
        }

        return result;
    }
}
