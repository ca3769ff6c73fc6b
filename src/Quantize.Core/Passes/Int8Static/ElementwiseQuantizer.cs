using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// Ops whose inputs and output each get their own calibrated parameters, and which ONNX Runtime turns into
/// com.microsoft QLinear kernels (QLinearAdd, QLinearMul, QLinearConcat, QLinearAveragePool,
/// QLinearGlobalAveragePool, QLinearSigmoid, QLinearSoftmax, QLinearLeakyRelu). A constant operand (a bias
/// vector, a scalar factor) is stored in the activation type and dequantized. Quantized only when every
/// other input is already quantized and the output feeds integer ops.
/// </summary>
internal sealed class ElementwiseQuantizer : IStaticOpQuantizer
{
    /// <summary>The ops this quantizer handles: each runs on integers only when all its non-constant inputs are quantized.</summary>
    public static IReadOnlySet<string> Types { get; } = new HashSet<string>(StringComparer.Ordinal)
        { "Add", "Mul", "Concat", "AveragePool", "GlobalAveragePool", "Sigmoid", "Softmax", "LeakyRelu" };

    public IReadOnlyCollection<string> OpTypes => [.. Types];

    public bool TryQuantize(NodeProto node, QdqRewrite rewrite)
    {
        if (MatMulBiasAdd.Matches(node, rewrite) || node.Input.Count == 0 || node.Output.Count != 1 || node.Input.Any(i => i.Length == 0) || !rewrite.FeedsIntegerOps(node.Output[0]))
        {
            return false;
        }

        var constants = new Dictionary<int, (Int8.ConstantWeight Weight, float[] Values)>();
        for (int i = 0; i < node.Input.Count; i++)
        {
            var input = node.Input[i];
            if (rewrite.Weights.Find(rewrite.Scope, input) is { } constant)
            {
                if (constant.Tensor.ElementType() != DataType.Float || constant.Tensor.ElementCount() == 0)
                {
                    return false;
                }

                var values = constant.Tensor.ReadFloats();
                if (!values.All(float.IsFinite))
                {
                    return false;
                }

                constants[i] = (constant, values);
            }
            else if (!rewrite.IsQuantized(input))
            {
                // Only where the inputs are already integer (written by a quantized op): in front of float
                // producers the Q/DQ pairs cost more than the integer kernel saves, and around the
                // element-wise pieces of a decomposed LayerNorm or GELU they ruin accuracy.
                return false;
            }
        }

        if (rewrite.OutputTarget(node) is not { } target)
        {
            return false;
        }

        for (int i = 0; i < node.Input.Count; i++)
        {
            if (constants.TryGetValue(i, out var constant))
            {
                node.Input[i] = rewrite.DequantizedConstant(constant.Weight, constant.Values);
            }
            else
            {
                rewrite.Quantize(node.Input[i]);
            }
        }

        rewrite.QuantizeOutput(node, target);
        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }
}
