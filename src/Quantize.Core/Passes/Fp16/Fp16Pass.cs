using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Fp16;

/// <summary>
/// FP32 → FP16 (docs/numerics.md "FP16 conversion"). Every float32 tensor becomes float16 except where nodes
/// must stay float32 (<see cref="Fp16KeepList"/>, the user's exclusions, Resize's roi/scales); Cast nodes
/// sit exactly at the boundaries between the two domains, one per tensor and direction. Graph inputs and
/// outputs stay float32 behind Casts unless KeepIoTypes is off. Subgraphs follow the domain of the node
/// that holds them.
/// </summary>
/// <remarks>
/// <para>
/// Counts in <see cref="QuantizeResult.QuantizedByOpType"/>: every node now computing in float16 under its
/// op type (Constant nodes only when their value was converted), and every converted initializer under
/// <c>initializer</c>. Inserted Casts are not counted.
/// </para>
/// <para>
/// <see cref="QuantizeOptions.MinElements"/> does not apply: ONNX requires the inputs of a node to agree
/// in type, so a small float32 weight beside float16 activations would need a Cast of its own, costing
/// more than the bytes it saves. Every float32 value in the float16 domain is converted.
/// </para>
/// </remarks>
public sealed class Fp16Pass : IQuantizationPass
{
    /// <inheritdoc/>
    public Precision Precision => Precision.Fp16;

    /// <inheritdoc/>
    public DataType? InterfaceType(PassContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Options.KeepIoTypes)
        {
            return null;
        }

        var plan = Fp16Plan.Create(context);
        return HasFloat32Work(plan, plan.Main) ? DataType.Float16 : null;
    }

    /// <inheritdoc/>
    public void Run(PassContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var plan = Fp16Plan.Create(context);
        if (!HasFloat32Work(plan, plan.Main))
        {
            if (HasFloat16(context))
            {
                context.Result.Unchanged = true;
                context.Result.Warnings.Add(new Diagnostic(ErrorCodes.AlreadyInPrecision, context.ModelPath,
                    "The model is already float16 (no float32 computation or weights left to convert); it is written unchanged."));
            }

            return;
        }

        var rewriter = new Fp16Rewriter(plan, context);
        rewriter.Rewrite();
        DataType? TypeOf(string name) => rewriter.FinalTypes.TryGetValue(name, out var t) ? t : plan.OriginalType(name);
        int castsRemoved = CastCleanup.Run(context.Model.Graph, TypeOf);
        DropStaleValueInfo(context.Model.Graph);

        context.Result.Notes.Add(
            $"Converted float32 to float16 with {rewriter.CastsInserted - castsRemoved} Cast nodes at graph inputs/outputs and float32 islands"
            + (context.Options.KeepIoTypes ? "; graph inputs and outputs stay float32." : "; float graph inputs and outputs are now float16."));
        context.Result.Notes.Add("MinElements does not apply to FP16: every float32 tensor in the float16 domain is converted so node input types agree.");
        context.Result.Warnings.Add(new Diagnostic(ErrorCodes.SlowerOnCpu, context.ModelPath,
            "FP16 halves the model's size but usually runs slower than FP32 on the CPU: ONNX Runtime's CPU provider lacks float16 kernels for most ops and runs them in float32 behind Cast nodes it inserts at load. Use FP16 for size, or with a GPU execution provider; use INT8 for CPU speed."));
    }

    /// <summary>
    /// True when something float32 would change: a non-Cast node computing on float32 in the float16
    /// domain, or a float32 value or input that would become float16. A model this pass already converted
    /// has only Casts and kept islands left in float32, so it is recognised and not converted twice.
    /// </summary>
    private static bool HasFloat32Work(Fp16Plan plan, Fp16Scope scope)
    {
        foreach (var tensor in scope.FloatTensors)
        {
            if (tensor.Home == DataType.Float16 && tensor.Producer?.OpType != "Cast")
            {
                return true;
            }
        }

        foreach (var node in scope.Graph.Node)
        {
            if (plan.IsKept(node) || node.OpType == "Cast")
            {
                continue;
            }

            for (int slot = 0; slot < node.Input.Count; slot++)
            {
                if (node.Input[slot].Length > 0 && scope.Resolve(node.Input[slot]) is not null && plan.SlotType(node, slot) == DataType.Float16)
                {
                    return true;
                }
            }
        }

        return scope.Children.Any(child => HasFloat32Work(plan, child));
    }

    private static bool HasFloat16(PassContext context) =>
        context.Types.Values.Any(t => t == DataType.Float16) || ModelTensors.All(context.Model).Any(t => t.ElementType() == DataType.Float16);

    /// <summary>value_info entries for tensors the Cast cleanup removed would describe nothing; drop them.</summary>
    private static void DropStaleValueInfo(GraphProto main)
    {
        foreach (var graph in GraphWalker.AllGraphs(main))
        {
            var live = graph.Node.SelectMany(n => n.Output)
                .Concat(graph.Input.Select(i => i.Name))
                .Concat(graph.Initializer.Select(i => i.Name))
                .Concat(graph.Output.Select(o => o.Name))
                .ToHashSet(StringComparer.Ordinal);
            var stale = graph.ValueInfo.Where(v => !live.Contains(v.Name)).ToList();
            foreach (var value in stale)
            {
                graph.ValueInfo.Remove(value);
            }
        }
    }
}
