using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Calibration;

/// <summary>
/// What calibration obtained once for every quantization of a model: static INT8's activation ranges (with the
/// pre-processed model calibration ran on, handed to the first quantization so it is not made twice) or INT4 GPTQ's
/// Hessians; how they were obtained, and what the calibrator warned about.
/// </summary>
/// <param name="ranges">Static INT8's ranges; null for GPTQ.</param>
/// <param name="report">How they were obtained.</param>
/// <param name="warnings">Calibration warnings (few samples...).</param>
/// <param name="preprocessed">The pre-processed float model, or null when saved ranges were reused.</param>
/// <param name="data">The calibration samples.</param>
/// <param name="hessians">GPTQ's XᵀX per weighted MatMul input; null for static INT8.</param>
internal sealed class CalibratedRanges(ActivationRanges? ranges, CalibrationReport report, IReadOnlyList<Diagnostic> warnings, ModelProto? preprocessed,
    CalibrationDataOptions data, IReadOnlyDictionary<string, double[]>? hessians = null)
{
    private ModelProto? _preprocessed = preprocessed;

    /// <summary>Static INT8's ranges; null for GPTQ.</summary>
    public ActivationRanges? Ranges { get; } = ranges;

    /// <summary>GPTQ's XᵀX per weighted MatMul input; null for static INT8.</summary>
    public IReadOnlyDictionary<string, double[]>? Hessians { get; } = hessians;

    /// <summary>How they were obtained.</summary>
    public CalibrationReport Report { get; } = report;

    /// <summary>Calibration warnings (few samples...).</summary>
    public IReadOnlyList<Diagnostic> Warnings { get; } = warnings;

    /// <summary>The calibration samples (bias correction runs them through the quantized model).</summary>
    public CalibrationDataOptions Data { get; } = data;

    /// <summary>What one quantization takes: the pre-processed model goes to the first only (<see cref="TakePreprocessed"/>).</summary>
    public CalibrationInputs ForOneQuantization() => new(Ranges, TakePreprocessed(), Hessians, Data, _biasShifts);

    /// <summary>Bias correction measures once per calibration; later quantizations (mixed precision, the guard's probes) reuse it.</summary>
    private readonly Passes.Int8Static.BiasShifts _biasShifts = new();

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
