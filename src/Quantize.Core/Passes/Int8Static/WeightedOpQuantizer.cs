using System.Globalization;
using Quantize.Core.Graph;
using Quantize.Core.Numerics;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// Conv, ConvTranspose, Gemm and MatMul: activation input through a Q/DQ pair, constant weight stored int8
/// behind one DequantizeLinear (per channel along the output-channel axis: Conv 0, ConvTranspose 1, MatMul
/// the last, Gemm 0 with transB else 1), bias int32 with scale input_scale × weight_scale, output through a
/// Q/DQ pair. ONNX Runtime fuses the groups into QLinearConv, QLinearMatMul and QGemm. A MatMul of two
/// activations quantizes both (QLinearMatMul too).
/// </summary>
internal sealed class WeightedOpQuantizer : IStaticOpQuantizer
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Conv", "ConvTranspose", "Gemm", "MatMul"];

    public bool TryQuantize(NodeProto node, QdqRewrite rewrite)
    {
        if (node.Input.Count < 2 || node.Output.Count != 1 || !rewrite.CanQuantize(node.Input[0]))
        {
            return false;
        }

        if (node.OpType == "Gemm" && NodeAttributes.Find(node, "transA")?.I is 1)
        {
            rewrite.Context.Result.Skipped.TryAdd("Gemm", "transA=1 stays float: QGemm reads A as stored.");
            return false;
        }

        var weight = rewrite.Weights.Find(rewrite.Scope, node.Input[1]);
        if (weight is null)
        {
            // Two activations: only MatMul has an integer kernel for that (QLinearMatMul).
            return node.OpType == "MatMul" && rewrite.CanQuantize(node.Input[1]) && QuantizeActivations(node, rewrite);
        }

        if (!Usable(weight, out var values) || Axis(node, weight.Tensor) is not int channelAxis)
        {
            return false;
        }

        bool hasBias = node.OpType != "MatMul" && node.Input.Count > 2 && node.Input[2].Length > 0;
        float[]? bias = null;
        ConstantWeight? biasWeight = null;
        if (hasBias)
        {
            // A computed bias, or Gemm's broadcast 2-D C, has no int32 form the integer kernels take.
            biasWeight = rewrite.Weights.Find(rewrite.Scope, node.Input[2]);
            if (biasWeight is null || !Usable(biasWeight, out var biasValues) || biasWeight.Tensor.Dims.Count != 1)
            {
                return false;
            }

            bias = biasValues;
        }

        var target = OutputTarget(node, rewrite, out bool refused);
        if (refused)
        {
            return false;
        }

        if (target is { } island && SlowConvIsland.Applies(node, [.. weight.Tensor.Dims], island.Tensor, rewrite))
        {
            rewrite.SlowIslands.Add(node.Name);
            return false;
        }

        // Gemm: fold alpha into the weight and beta into the bias, so the integer kernel sees alpha = beta = 1
        // and the bias scale is simply input_scale × weight_scale.
        float alpha = NodeAttributes.Find(node, "alpha")?.F ?? 1f;
        if (node.OpType == "Gemm")
        {
            float beta = NodeAttributes.Find(node, "beta")?.F ?? 1f;
            values = alpha == 1f ? values : [.. values.Select(v => v * alpha)];
            bias = bias is null || beta == 1f ? bias : [.. bias.Select(v => v * beta)];
        }

        int? axis = rewrite.Format.Options.PerChannel && channelAxis >= 0 ? channelAxis : null;
        var format = rewrite.Format;
        long[] dims = [.. weight.Tensor.Dims];
        if (bias is not null && axis is int a && bias.Length != dims[a])
        {
            return false;
        }

        var inputScale = rewrite.Quantize(node.Input[0]).Scale;
        var parameters = PerAxisWeights.Parameters(values, dims, axis, format.WeightRange, format.Options.SymmetricWeights);
        int raised = 0;
        if (bias is not null)
        {
            (parameters, raised) = Int32Bias.FitWeightScales(bias, inputScale, parameters, format.WeightRange, format.Options.SymmetricWeights);
        }

        var stem = Int8Rewrite.Stem(node);
        // A weight read by several nodes is stored once per form; a fitted scale belongs to one node only.
        var form = string.Create(CultureInfo.InvariantCulture, $"qdq {node.OpType} axis={axis} alpha={alpha:R}{(raised > 0 ? " fitted for " + stem : string.Empty)}");
        var scaled = values;
        node.Input[1] = rewrite.Weights.GetOrCreate(weight, form, () =>
            rewrite.DequantizedWeight(weight, PerAxisWeights.Quantize(scaled, dims, axis, parameters, format.WeightRange), axis, dims));
        if (raised > 0)
        {
            rewrite.RaisedWeightScales.Add(weight.Name);
        }

        if (bias is not null)
        {
            var (biasValues, biasScales) = Int32Bias.Quantize(bias, inputScale, parameters);
            // Each node has its own bias form (its scale depends on the node's input scale).
            node.Input[2] = rewrite.Weights.GetOrCreate(biasWeight!, "qdq bias " + stem, () => rewrite.DequantizedBias(node, biasWeight!.Name, biasValues, biasScales, stem));
        }

        if (node.OpType == "Gemm")
        {
            RemoveAttributes(node, "alpha", "beta");
        }

        if (target is { } output)
        {
            rewrite.QuantizeOutput(node, output);
        }

        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }

    private static bool QuantizeActivations(NodeProto node, QdqRewrite rewrite)
    {
        var target = OutputTarget(node, rewrite, out bool refused);
        if (refused)
        {
            return false;
        }

        rewrite.Quantize(node.Input[0]);
        rewrite.Quantize(node.Input[1]);
        if (target is { } output)
        {
            rewrite.QuantizeOutput(node, output);
        }

        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }

    /// <summary>
    /// Where the output's Q/DQ goes. Below opset 10 a MatMul keeps a float output: ONNX Runtime then fuses
    /// it into com.microsoft MatMulIntegerToFloat, where DQ→MatMul→Q would become a default-domain
    /// QLinearMatMul the old opset lacks. The same for MatMul and Gemm read by float ops. <paramref name="refused"/> is true when the output has no range.
    /// </summary>
    private static (string Tensor, NodeProto? Absorbed)? OutputTarget(NodeProto node, QdqRewrite rewrite, out bool refused)
    {
        refused = false;
        if (node.OpType == "MatMul" && rewrite.Format.DefaultOpset < LegacyOpsetConvFusion.QLinearOpset)
        {
            return null;
        }

        // MatMul and Gemm have integer kernels with a float output (MatMulIntegerToFloat, QGemm without Y
        // quantization): when float ops read the result, leave it unquantized. Conv has none, so it always
        // quantizes its output.
        if (node.OpType is "MatMul" or "Gemm" && !rewrite.FeedsIntegerOps(node.Output[0]))
        {
            return null;
        }

        var target = rewrite.OutputTarget(node);
        refused = target is null;
        return target;
    }

    /// <summary>Marks a weight whose channels cannot be scaled separately.</summary>
    private const int PerTensorOnly = -1;

    /// <summary>The output-channel axis of the weight (<see cref="PerTensorOnly"/> if none), or null when the node's form is not handled.</summary>
    private static int? Axis(NodeProto node, TensorProto weight)
    {
        int rank = weight.Dims.Count;
        return node.OpType switch
        {
            "Conv" when rank >= 3 => 0,
            // Grouped ConvTranspose splits the output channels across axis 1 group by group; keep it per tensor.
            "ConvTranspose" when rank >= 3 => (NodeAttributes.Find(node, "group")?.I ?? 1) == 1 ? 1 : PerTensorOnly,
            "Gemm" when rank == 2 => NodeAttributes.Find(node, "transB")?.I is 1 ? 0 : 1,
            "MatMul" when rank >= 2 => rank - 1,
            _ => null,
        };
    }

    private static bool Usable(ConstantWeight weight, out float[] values)
    {
        values = [];
        if (weight.Tensor.ElementType() != DataType.Float || weight.Tensor.ElementCount() == 0)
        {
            return false;
        }

        values = weight.Tensor.ReadFloats();
        return values.All(float.IsFinite);
    }


    private static void RemoveAttributes(NodeProto node, params string[] names)
    {
        var kept = node.Attribute.Where(a => !names.Contains(a.Name)).ToList();
        node.Attribute.Clear();
        node.Attribute.AddRange(kept);
    }
}
