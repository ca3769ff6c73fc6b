using Quantize.Core.Calibration;
using Quantize.Core.Graph;
using Quantize.Core.Numerics;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// The choices that hold for a whole model: which QuantizeLinear/DequantizeLinear to emit, the integer
/// types and ranges of activations and weights, and how a calibrated range becomes a scale and zero point.
/// </summary>
internal sealed class QdqFormat
{
    /// <summary>Standard QuantizeLinear/DequantizeLinear exist from opset 10; per-axis scales from 13.</summary>
    public const long StandardOpset = 10;

    /// <summary>The default-domain opset with per-axis (per-channel) DequantizeLinear.</summary>
    public const long PerAxisOpset = 13;

    public QdqFormat(StaticInt8Options options, long defaultOpset)
    {
        Options = options;
        DefaultOpset = defaultOpset;
        // Raising the opset would silently change the meaning of other ops (Upsample, Resize, Clip,
        // Softmax...), so older models use ONNX Runtime's com.microsoft Q/DQ, which have axis since opset 1.
        bool standard = defaultOpset >= (options.PerChannel ? PerAxisOpset : StandardOpset);
        Domain = standard ? string.Empty : Opsets.Microsoft;
        ActivationType = options.ActivationType == Core.ActivationType.UInt8 ? DataType.Uint8 : DataType.Int8;
        ActivationRange = (options.ActivationType, options.SymmetricActivations) switch
        {
            (Core.ActivationType.UInt8, false) => IntegerRange.UInt8,
            (Core.ActivationType.UInt8, true) => IntegerRange.UInt8Symmetric,
            (_, false) => IntegerRange.Int8,
            _ => IntegerRange.Int8Symmetric,
        };
        WeightRange = (options.ReduceRange, options.SymmetricWeights) switch
        {
            (true, _) => (-64, 64),
            (false, true) => IntegerRange.Int8Symmetric,
            _ => IntegerRange.Int8,
        };
    }

    public StaticInt8Options Options { get; }

    public long DefaultOpset { get; }

    /// <summary>"" (standard ONNX) or com.microsoft for the Q/DQ nodes.</summary>
    public string Domain { get; }

    public DataType ActivationType { get; }

    public (int Min, int Max) ActivationRange { get; }

    /// <summary>Weights are always int8 (ONNX Runtime's integer Conv/MatMul kernels take s8 weights).</summary>
    public (int Min, int Max) WeightRange { get; }

    /// <summary>
    /// Relu and Clip can vanish into the preceding QuantizeLinear only when real 0 sits at the bottom of
    /// the integer range, which asymmetric activations guarantee for ranges starting at 0.
    /// </summary>
    public bool CanAbsorbActivations => !Options.SymmetricActivations;

    public QuantizationParameters ForActivation(TensorRange range) =>
        QuantizationParameters.FromRange(range.Min, range.Max, ActivationRange.Min, ActivationRange.Max, Options.SymmetricActivations);

    /// <summary>A constant operand of an element-wise op (a bias Add's vector, a scalar Mul) is quantized like an activation, from its own values.</summary>
    public QuantizationParameters ForConstantOperand(ReadOnlySpan<float> values)
    {
        float min = 0, max = 0;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        return ForActivation(new TensorRange(min, max));
    }
}
