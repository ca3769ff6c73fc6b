using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Bf16;

/// <summary>
/// FP32 → BF16 storage. ONNX Runtime's CPU provider has almost no bfloat16 kernels, and its automatic
/// Cast insertion covers only float16, so a model computing in bfloat16 would not run there. This pass
/// therefore stores each float32 weight of at least <see cref="QuantizeOptions.MinElements"/> elements
/// as a bfloat16 initializer (or Constant value) followed by a Cast to float32. ONNX Runtime folds those
/// Casts into float32 constants when it loads the model, so compute is float32 with bfloat16-rounded
/// weights: the file is about half the size, accuracy follows bfloat16's 8-bit mantissa, and speed and
/// run-time memory equal FP32's.
/// </summary>
/// <remarks>
/// Weights read by an excluded node stay float32 for every reader. With KeepIoTypes off, float graph
/// inputs and outputs become bfloat16 with Casts at the boundary. Counts: converted initializers under
/// <c>initializer</c>, converted Constant nodes under <c>Constant</c>.
/// </remarks>
public sealed class Bf16Pass : IQuantizationPass
{
    /// <summary>The first opset whose Cast reads and writes bfloat16.</summary>
    public const long MinimumOpset = 13;

    /// <inheritdoc/>
    public Precision Precision => Precision.Bf16;

    /// <inheritdoc/>
    public DataType? InterfaceType(PassContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Options.KeepIoTypes || IsAlreadyBf16(context, new Bf16Weights(context).FindEligible().Count) ? null : DataType.Bfloat16;
    }

    /// <inheritdoc/>
    public void Run(PassContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var weights = new Bf16Weights(context);
        var eligible = weights.FindEligible();
        if (IsAlreadyBf16(context, eligible.Count))
        {
            context.Result.Unchanged = true;
            context.Result.Warnings.Add(new Diagnostic(ErrorCodes.AlreadyInPrecision, context.ModelPath,
                "The model already stores its weights as bfloat16 (no float32 weight left to convert); it is written unchanged."));
            return;
        }

        // Cast accepts bfloat16 from opset 13 on; raising a model's opset would change the meaning of other
        // ops (Upsample, Split, Squeeze...), so an older model is refused with a clear way out.
        long opset = Opsets.Version(context.Model, string.Empty);
        if (opset < MinimumOpset && (eligible.Count > 0 || !context.Options.KeepIoTypes))
        {
            throw new QuantizeException(ErrorCodes.OpsetTooOld, context.ModelPath,
                $"BF16 stores weights as bfloat16 behind Cast nodes, and Cast accepts bfloat16 only from opset {MinimumOpset}; this model imports opset {opset}. Use FP16 instead, or re-export the model with opset {MinimumOpset} or later.");
        }

        foreach (var (graph, initializer, constant) in eligible)
        {
            weights.Convert(graph, initializer, constant);
        }

        context.Result.Notes.Add(
            $"Stored {eligible.Count} float32 weights of at least {context.Options.MinElements} elements as bfloat16, each behind a Cast to float32. " +
            "ONNX Runtime's CPU provider has almost no bfloat16 kernels, so it folds these Casts at load and computes in float32: " +
            "the file is about half the size, speed and run-time memory stay those of FP32.");
        if (!context.Options.KeepIoTypes)
        {
            int changed = Bf16Boundary.Convert(context, weights);
            context.Result.Notes.Add($"{changed} float graph inputs/outputs are now bfloat16, cast to and from float32 at the boundary.");
        }
    }

    /// <summary>No float32 weight left to convert and bfloat16 tensors present: a model this pass (or another tool) already converted.</summary>
    private static bool IsAlreadyBf16(PassContext context, int eligible) =>
        eligible == 0 && ModelTensors.All(context.Model).Any(t => t.ElementType() == DataType.Bfloat16);
}
