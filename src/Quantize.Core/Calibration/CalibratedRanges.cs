using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Calibration;

/// <summary>
/// Activation ranges obtained once, with how they were obtained and what the calibrator warned about, and the
/// pre-processed model calibration ran on, handed to the first quantization so it is not made twice.
/// </summary>
/// <param name="ranges">The ranges.</param>
/// <param name="report">How they were obtained.</param>
/// <param name="warnings">Calibration warnings (few samples...).</param>
/// <param name="preprocessed">The pre-processed float model, or null when saved ranges were reused.</param>
internal sealed class CalibratedRanges(ActivationRanges ranges, CalibrationReport report, IReadOnlyList<Diagnostic> warnings, ModelProto? preprocessed)
{
    private ModelProto? _preprocessed = preprocessed;

    /// <summary>The ranges.</summary>
    public ActivationRanges Ranges { get; } = ranges;

    /// <summary>How they were obtained.</summary>
    public CalibrationReport Report { get; } = report;

    /// <summary>Calibration warnings (few samples...).</summary>
    public IReadOnlyList<Diagnostic> Warnings { get; } = warnings;

    /// <summary>
    /// The pre-processed model, once: the pass rewrites it in place, so a second quantization must not get the
    /// same instance (it pre-processes from the file instead).
    /// </summary>
    public ModelProto? TakePreprocessed()
    {
        var model = _preprocessed;
        _preprocessed = null;
        return model;
    }
}
