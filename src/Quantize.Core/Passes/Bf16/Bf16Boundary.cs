using Quantize.Core.Onnx;
using Quantize.Core.Passes.Fp16;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Bf16;

/// <summary>
/// With KeepIoTypes off, turns the main graph's float32 inputs and outputs into bfloat16: each input is
/// cast to float32 right where it enters, and each output's producer writes a fresh name that a Cast to
/// bfloat16 turns into the declared output. The computation inside stays float32.
/// </summary>
internal static class Bf16Boundary
{
    /// <summary>Rewrites the boundary; returns the number of inputs and outputs changed.</summary>
    public static int Convert(PassContext context, Bf16Weights weights)
    {
        var graph = context.Model.Graph;
        int changed = 0;
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in graph.Input)
        {
            var tensorType = input.Type?.TensorType;
            bool isWeight = context.Model.IrVersion < 4 && initializers.ContainsKey(input.Name);
            if (tensorType?.ElemType != (int)DataType.Float || isWeight)
            {
                continue;
            }

            var widened = context.Names.Fresh(input.Name + "_float");
            ReferenceRewriter.ReplaceReaders(graph, input.Name, widened);
            graph.Node.Add(weights.CastToFloat(input.Name, widened));
            tensorType.ElemType = (int)DataType.Bfloat16;
            if (initializers.TryGetValue(input.Name, out var defaultValue))
            {
                // The default of an overridable input must have the input's type.
                graph.Initializer[graph.Initializer.IndexOf(defaultValue)] = Bf16Weights.ToBFloat16(defaultValue, defaultValue.Name);
            }

            inputs.Add(input.Name);
            changed++;
        }

        foreach (var output in graph.Output)
        {
            var tensorType = output.Type?.TensorType;
            if (tensorType?.ElemType != (int)DataType.Float)
            {
                continue;
            }

            if (!inputs.Contains(output.Name))
            {
                // Passed-through inputs are bfloat16 already; everything else is produced in float32.
                var produced = context.Names.Fresh(output.Name + "_float");
                ReferenceRewriter.RenameDefinition(graph, output.Name, produced);
                graph.Node.Add(weights.Cast(produced, output.Name, DataType.Bfloat16));
            }

            tensorType.ElemType = (int)DataType.Bfloat16;
            changed++;
        }

        return changed;
    }
}
