using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;

namespace Quantize.Core.Calibration;

/// <summary>What calibration hands to one quantization: the pass reads these from its <see cref="Passes.PassContext"/>.</summary>
/// <param name="Ranges">Static INT8's activation ranges; null for dynamic INT8 and for INT4.</param>
/// <param name="Preprocessed">The pre-processed float model calibration ran on (the pass takes it over), or null.</param>
/// <param name="Hessians">INT4 GPTQ/AWQ: XᵀX per weighted MatMul input; null otherwise.</param>
/// <param name="Data">The calibration samples, for remedies that measure the quantized model (bias correction); null when not at hand.</param>
/// <param name="BiasShifts">Bias correction's measurements, shared by every quantization of this calibration; null for a fresh one each time.</param>
internal sealed record CalibrationInputs(ActivationRanges? Ranges, ModelProto? Preprocessed = null,
    IReadOnlyDictionary<string, double[]>? Hessians = null, CalibrationDataOptions? Data = null, Passes.Int8Static.BiasShifts? BiasShifts = null);
