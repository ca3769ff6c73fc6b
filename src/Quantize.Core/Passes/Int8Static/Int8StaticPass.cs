using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// Static INT8 in the QDQ format, from calibrated activation ranges: the model is first pre-processed by
/// ONNX Runtime's basic optimizations (BatchNormalization folded into Conv, constants folded), then weights
/// are stored int8 behind DequantizeLinear, biases int32, and every activation an integer kernel reads or
/// writes gets a QuantizeLinear→DequantizeLinear pair. Only ops ONNX Runtime fuses into integer kernels
/// are quantized (a Q/DQ pair around an op that then runs in float only costs time). Nested subgraphs stay float.
/// </summary>
public sealed class Int8StaticPass : IQuantizationPass
{
    /// <summary>Tried in this order; the first that accepts a node quantizes it.</summary>
    private static readonly IStaticOpQuantizer[] Quantizers =
        [new WeightedOpQuantizer(), new ElementwiseQuantizer(), new EmbeddingGatherQuantizer(), new SharedParameterQuantizer()];

    private static readonly ILookup<string, IStaticOpQuantizer> ByOpType =
        Quantizers.SelectMany(q => q.OpTypes.Select(t => (t, q))).ToLookup(p => p.t, p => p.q, StringComparer.Ordinal);

    private static readonly HashSet<string> IntegerOps = [.. Quantizers.SelectMany(q => q.OpTypes)];

    /// <inheritdoc/>
    public Precision Precision => Precision.Int8;

    /// <inheritdoc/>
    public void Run(PassContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ranges = context.Ranges ?? throw new QuantizeException(ErrorCodes.InvalidOption, context.ModelPath, "Static INT8 needs calibrated activation ranges.");
        var preprocessed = context.Preprocessed ?? StaticPreprocessor.Optimize(context.ModelPath, context.Options.Static);
        Replace(context.Model, preprocessed);
        context.Result.Notes.Add("Pre-processed with ONNX Runtime's basic graph optimizations (BatchNormalization folded into Conv, constants folded).");
        if (context.Options.Static.CrossLayerEqualization is not EqualizationScope.None and var equalization)
        {
            context.Result.Notes.Add(CrossLayerEqualization.Describe(context.Model, equalization));
        }

        // Bias correction compares the quantized model with this float one (copied only when there is something to correct).
        var floatModel = context.Options.Static.BiasCorrection switch
        {
            BiasCorrectionScope.None => null,
            BiasCorrectionScope.Depthwise when !context.Model.Graph.Node.Any(BiasCorrection.IsDepthwise) => null,
            _ => context.Model.Clone(),
        };
        long opset = Opsets.Version(context.Model, string.Empty);
        var format = new QdqFormat(context.Options.Static, opset);
        var rewrite = new QdqRewrite(context, ranges, format, IntegerOps);
        TopologicalSorter.Sort(context.Model.Graph);
        int floatBiasAdds = 0;
        foreach (var node in context.Model.Graph.Node.ToList())
        {
            if (node.Domain is not ("" or "ai.onnx") || rewrite.Absorbed.Contains(node) || context.Excluded.Matches(node))
            {
                continue;
            }

            if (MatMulBiasAdd.Matches(node, rewrite))
            {
                floatBiasAdds++;
                continue;
            }

            _ = ByOpType[node.OpType].Any(q => q.TryQuantize(node, rewrite));
        }

        if (floatBiasAdds > 0)
        {
            context.Result.Notes.Add($"{floatBiasAdds} bias Add node(s) after MatMul kept float: those MatMuls keep a float output (MatMulIntegerToFloat), which is more accurate and faster than rounding the projection to 8 bits.");
        }

        rewrite.EmitActivationPairs();
        rewrite.Scope.RemoveReplacedNodes();
        UnusedWeights.Remove(context.Model, rewrite.Weights.Replaced);
        if (format.Domain == Opsets.Microsoft)
        {
            Opsets.Ensure(context.Model, Opsets.Microsoft, 1);
            context.Result.Notes.Add($"The model imports opset {opset}; QuantizeLinear/DequantizeLinear come from ONNX Runtime's com.microsoft domain because standard {(format.Options.PerChannel ? "per-channel " : string.Empty)}Q/DQ needs opset {(format.Options.PerChannel ? QdqFormat.PerAxisOpset : QdqFormat.StandardOpset)}, and raising the opset would change the meaning of other ops.");
        }

        // On the complete QDQ graph (ONNX Runtime runs it), before legacy opsets fuse their Conv groups.
        if (floatModel is not null)
        {
            CorrectBiases(context, floatModel, rewrite, opset);
        }

        if (opset < LegacyOpsetConvFusion.QLinearOpset)
        {
            int fused = LegacyOpsetConvFusion.Fuse(context.Model.Graph, format.Domain);
            context.Result.Notes.Add($"{fused} Conv group(s) written as com.microsoft QLinearConv: ONNX Runtime's own QDQ fusion would emit the default-domain QLinearConv, which opset {opset} lacks.");
        }

        Report(context, rewrite);
    }

    private static void CorrectBiases(PassContext context, ModelProto floatModel, QdqRewrite rewrite, long opset)
    {
        var scope = context.Options.Static.BiasCorrection;
        var biases = rewrite.Biases.Where(b => scope == BiasCorrectionScope.All || BiasCorrection.IsDepthwise(b.Node)).ToList();
        if (biases.Count == 0)
        {
            // Depthwise on a model without depthwise Convs: nothing to say, nothing spent.
            return;
        }

        string? skipped = context.CalibrationData switch
        {
            null => "the calibration data was not given to this run",
            _ when context.Model.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External) => "the model keeps its weights in external data",
            _ => null,
        };
        if (skipped is not null)
        {
            context.Result.Notes.Add($"Bias correction skipped: {skipped}.");
            return;
        }

        // Below opset 10 ONNX Runtime would fuse the QDQ groups into a QLinearConv the opset lacks: run the graph as written.
        var (changed, samples) = BiasCorrection.Apply(context.Model, floatModel, context.ModelPath, biases, context.CalibrationData!, optimize: opset >= LegacyOpsetConvFusion.QLinearOpset, context.BiasShifts);
        string which = scope == BiasCorrectionScope.All ? "Conv/ConvTranspose/Gemm" : "depthwise Conv";
        context.Result.Notes.Add($"Bias correction ({scope}): {changed} of {biases.Count} {which} bias(es) shifted by their layer's mean quantization error over {samples} calibration sample(s).");
    }

    private static void Report(PassContext context, QdqRewrite rewrite)
    {
        if (rewrite.Absorbed.Count > 0)
        {
            context.Result.Notes.Add($"{rewrite.Absorbed.Count} Relu/Clip node(s) absorbed into the preceding QuantizeLinear.");
        }

        if (rewrite.SlowIslands.Count > 0)
        {
            context.Result.Notes.Add($"{rewrite.SlowIslands.Count} Conv node(s) stayed float because their integer kernel, between float ops, runs slower than float on CPU (grouped or under {SlowConvIsland.MinimumMultiplyAdds} multiply-adds per output, needing its own Q/DQ pair): {string.Join(", ", rewrite.SlowIslands.Take(5))}{(rewrite.SlowIslands.Count > 5 ? ", ..." : string.Empty)}. AvoidSlowPatterns=false quantizes them.");
        }

        if (rewrite.RaisedWeightScales.Count > 0)
        {
            context.Result.Notes.Add($"Weight scale raised so that the int32 bias fits: {string.Join(", ", rewrite.RaisedWeightScales.Take(5))}{(rewrite.RaisedWeightScales.Count > 5 ? ", ..." : string.Empty)}.");
        }

        if (rewrite.MissingRanges.Count > 0)
        {
            var missing = rewrite.MissingRanges.Order(StringComparer.Ordinal).ToList();
            context.Result.Notes.Add($"{missing.Count} tensor(s) have no calibrated range, so the nodes around them stay float: {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? ", ..." : string.Empty)}.");
        }

        if (context.Model.Graph.Node.Any(n => GraphWalker.Subgraphs(n).Any()))
        {
            context.Result.Notes.Add("Nodes inside If/Loop/Scan subgraphs stay float in static INT8.");
        }
    }

    /// <summary>Swaps the pre-processed graph into the model the engine holds (the same object goes on to be written).</summary>
    private static void Replace(ModelProto model, ModelProto preprocessed)
    {
        model.Graph = preprocessed.Graph;
        model.OpsetImport.Clear();
        model.OpsetImport.AddRange(preprocessed.OpsetImport);
        model.Functions.Clear();
        model.Functions.AddRange(preprocessed.Functions);
    }
}
