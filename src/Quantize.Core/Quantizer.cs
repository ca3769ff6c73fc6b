using Quantize.Core.Evaluation;
using Quantize.Core.Safety;

namespace Quantize.Core;

/// <summary>
/// The engine's one front door: runs a <see cref="QuantizeJob"/> through every stage it asks for, in one place.
/// Static INT8 is prepared first (the graph pre-processed and calibrated, or saved ranges reused), then the precision's
/// pass runs and the result is written and loaded in a staging folder; with a quality check the result is compared
/// with the float model and timed, the gates and the collapse guard judge it, mixed precision searches when asked, and
/// the report is handed to the caller. Only a result that passed every check replaces the output.
/// </summary>
public static class Quantizer
{
    /// <summary>Runs <paramref name="job"/>; the result says what was done and, with a quality check, what was measured.</summary>
    /// <param name="job">The model, the output, the settings, the data.</param>
    /// <param name="progress">Receives short phase descriptions ("calibrating (32 samples)", "quantizing to Int8"...).</param>
    /// <param name="measured">With a quality check: called with the report once gates are decided, before a failure is thrown, so a failed check gets its report too.</param>
    /// <exception cref="Diagnostics.QuantizeException">Every failure, with its QNT code; the output is then left as it was.</exception>
    public static QuantizeResult Run(QuantizeJob job, IProgress<string>? progress = null, Action<QualityReport>? measured = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        OutputTarget.Check(job.InputPath, job.OutputPath);
        return job.OutputIsStaged
            ? RunInto(job, job.OutputPath, progress, measured)
            : StagedOutput.Produce(job.OutputPath, staged => RunInto(job, staged, progress, measured));
    }

    /// <summary>Every stage of <paramref name="job"/>, writing (each attempt) to <paramref name="stagedPath"/>.</summary>
    private static QuantizeResult RunInto(QuantizeJob job, string stagedPath, IProgress<string>? progress, Action<QualityReport>? measured) =>
        (job.Quality, job.Calibration) switch
        {
            ({ } quality, var calibration) => CheckedQuantizer.Quantize(job.InputPath, stagedPath, job.Options, quality, calibration, progress, measured),
            (null, { } calibration) => CalibratedQuantizer.Quantize(job.InputPath, stagedPath, job.Options, calibration.Data, calibration.Options,
                calibration.RangesCachePath, progress, job.Verify, calibration.Fingerprint),
            _ => QuantizeEngine.Write(job.InputPath, stagedPath, job.Options, calibrated: null, progress, job.Verify),
        };
}
