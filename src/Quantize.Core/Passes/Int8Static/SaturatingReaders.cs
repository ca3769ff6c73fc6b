using Quantize.Core.Calibration;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// A range method per tensor where MinMax wastes the 8 bits: a tensor read only by ops that saturate (Sigmoid,
/// Tanh, HardSigmoid) needs its grid only where they do not. A probability map's logits often span −40…10, and
/// MinMax then spends a step of 0.2 on them, most of it on values every Sigmoid maps to 0; cut to ±8 the step is
/// four times finer where the decision is made. The bounds: Sigmoid ±8 (σ(−8) = 3.4·10⁻⁴, a tenth of an 8-bit step
/// of its [0, 1] output), Tanh ±4 (1 − tanh 4 = 6.7·10⁻⁴ of its range of 2, the same), HardSigmoid its linear part
/// [−β/α, (1 − β)/α] exactly.
/// </summary>
internal static class SaturatingReaders
{
    /// <summary>Where Sigmoid's output is within 3.4·10⁻⁴ of 0 or 1.</summary>
    public const float SigmoidBound = 8f;

    /// <summary>Where Tanh's output is within 6.7·10⁻⁴ of ±1.</summary>
    public const float TanhBound = 4f;

    /// <summary>
    /// <paramref name="range"/> cut to the inputs <paramref name="tensor"/>'s readers tell apart, when every reader
    /// saturates and the tensor is not a graph output (whose own values are the model's result); otherwise unchanged.
    /// </summary>
    public static TensorRange Clip(TensorRange range, string tensor, GraphIndex index)
    {
        if (index.IsGraphOutput(tensor) || index.Consumers(tensor) is not { Count: > 0 } readers)
        {
            return range;
        }

        float low = float.PositiveInfinity, high = float.NegativeInfinity;
        foreach (var reader in readers)
        {
            if (reader.Input.Count == 0 || reader.Input[0] != tensor || Unsaturated(reader) is not var (min, max))
            {
                return range;
            }

            (low, high) = (Math.Min(low, min), Math.Max(high, max));
        }

        // QuantizationParameters.FromRange widens any range to hold 0; a cut range keeps the calibrated side it lies on.
        return new TensorRange(Math.Max(range.Min, low), Math.Min(range.Max, high)) is var cut && cut.Min <= cut.Max ? cut : range;
    }

    /// <summary>The inputs <paramref name="node"/> maps to distinct outputs, or null when it does not saturate.</summary>
    private static (float Min, float Max)? Unsaturated(NodeProto node)
    {
        if (node.Domain is not ("" or "ai.onnx"))
        {
            return null;
        }

        switch (node.OpType)
        {
            case "Sigmoid":
                return (-SigmoidBound, SigmoidBound);
            case "Tanh":
                return (-TanhBound, TanhBound);
            case "HardSigmoid":
                // ONNX defaults α = 0.2, β = 0.5 (PyTorch exports α = 1/6): linear on [−β/α, (1 − β)/α].
                float alpha = NodeAttributes.Find(node, "alpha")?.F ?? 0.2f, beta = NodeAttributes.Find(node, "beta")?.F ?? 0.5f;
                return alpha > 0 ? (-beta / alpha, (1 - beta) / alpha) : null;
            default:
                return null;
        }
    }
}
