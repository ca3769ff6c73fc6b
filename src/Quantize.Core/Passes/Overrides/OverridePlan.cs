using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Fp16;

namespace Quantize.Core.Passes.Overrides;

/// <summary>
/// Applies <see cref="QuantizeOptions.Overrides"/>: every FP32 or FP16 node is kept out of the main pass (as
/// an exclusion), and afterwards exactly the FP16 ones are converted by the FP16 pass restricted to them,
/// with Casts where they meet float32 tensors. INT8 nodes (INT4 models only) stay in the main pass, which gives
/// their MatMul weights 8-bit blocks. The nodes are resolved to names before the main pass runs,
/// so nodes that pass creates (even of an overridden op type) are never converted. Where a node matches
/// several overrides the most precise wins: FP32, then FP16, then INT8.
/// </summary>
internal sealed class OverridePlan
{
    private readonly List<(string Name, LayerPrecision Precision)> _nodes;
    private readonly HashSet<string> _fp16;

    private OverridePlan(IReadOnlyList<string> selectors, List<(string Name, LayerPrecision Precision)> nodes, HashSet<string> fp16)
    {
        Selectors = selectors;
        _nodes = nodes;
        _fp16 = fp16;
        EightBit = nodes.Where(n => n.Precision == LayerPrecision.Int8).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The FP32 and FP16 overrides' selectors: the main pass excludes them.</summary>
    public IReadOnlyList<string> Selectors { get; }

    /// <summary>Names of the nodes an INT4 model keeps at 8 bits.</summary>
    public IReadOnlySet<string> EightBit { get; }

    /// <summary>
    /// Resolves <paramref name="overrides"/> against <paramref name="model"/>; a selector that matches nothing fails with
    /// QNT0006, and an INT8 override on anything but an INT4 model in MatMulNBits form with QNT0009.
    /// </summary>
    public static OverridePlan Create(IReadOnlyList<PrecisionOverride> overrides, ModelProto model, string modelPath, QuantizeOptions options)
    {
        if (overrides.FirstOrDefault(o => o.Precision == LayerPrecision.Int8) is { } eightBit && (options.Precision != Precision.Int4 || options.StandardOnnxInt4))
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, modelPath,
                $"Override '{eightBit}' keeps layers at 8 bits inside an INT4 model (MatMulNBits with bits = 8); it does not apply to {options.Precision}{(options.StandardOnnxInt4 ? " in the standard-ONNX form" : "")}. Use Fp32 or Fp16 to keep nodes more precise than {options.Precision}.");
        }

        var fp32 = NodeSelector.Create(overrides.Where(o => o.Precision == LayerPrecision.Fp32).Select(o => o.Selector), model, modelPath, "Override selector");
        var fp16 = NodeSelector.Create(overrides.Where(o => o.Precision == LayerPrecision.Fp16).Select(o => o.Selector), model, modelPath, "Override selector");
        var int8 = NodeSelector.Create(overrides.Where(o => o.Precision == LayerPrecision.Int8).Select(o => o.Selector), model, modelPath, "Override selector");
        var nodes = new List<(string, LayerPrecision)>();
        var fp16Names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in GraphWalker.AllGraphs(model.Graph).SelectMany(g => g.Node))
        {
            if (fp32.Matches(node))
            {
                nodes.Add((node.Name, LayerPrecision.Fp32));
            }
            else if (fp16.Matches(node))
            {
                nodes.Add((node.Name, LayerPrecision.Fp16));
                fp16Names.Add(node.Name);
                // A control-flow node converts as a unit: its body goes with it.
                foreach (var inner in GraphWalker.Subgraphs(node).SelectMany(GraphWalker.AllGraphs).SelectMany(g => g.Node))
                {
                    fp16Names.Add(inner.Name);
                }
            }
            else if (int8.Matches(node))
            {
                nodes.Add((node.Name, LayerPrecision.Int8));
            }
        }

        var excluded = overrides.Where(o => o.Precision != LayerPrecision.Int8).Select(o => o.Selector);
        return new OverridePlan([.. excluded], nodes, fp16Names);
    }

    /// <summary>
    /// Converts the FP16 nodes of <paramref name="model"/> (already rewritten by the main pass) and lists every
    /// FP32 and FP16 node in <see cref="QuantizeResult.Overridden"/> (the INT4 pass lists its 8-bit ones).
    /// </summary>
    public void Apply(ModelProto model, string modelPath, QuantizeOptions options, QuantizeResult result)
    {
        if (_nodes.Count == 0)
        {
            return;
        }

        var converted = new HashSet<string>(StringComparer.Ordinal);
        if (_fp16.Count > 0)
        {
            TopologicalSorter.SortAll(model.Graph);
            var fp16Result = new QuantizeResult();
            // Graph inputs and outputs keep their types whatever KeepIoTypes says: an override changes nodes inside the model, never its interface.
            var fp16Options = options with { Precision = Precision.Fp16, KeepIoTypes = true, Exclude = [], Overrides = [] };
            new Fp16Pass().Run(new PassContext(model, modelPath, fp16Options, NodeSelector.AllExcept(_fp16), fp16Result));
            converted.UnionWith(fp16Result.QuantizedNodes.Select(n => n.Name).Where(_fp16.Contains));
        }

        foreach (var (name, precision) in _nodes)
        {
            if (precision == LayerPrecision.Fp32)
            {
                result.Overridden.Add(new(name, "FP32"));
            }
            else if (converted.Contains(name))
            {
                result.Overridden.Add(new(name, "FP16"));
            }
        }

        int fp16Count = result.Overridden.Count(o => o.Value == "FP16");
        if (fp16Count > 0)
        {
            result.Notes.Add($"{fp16Count} node(s) converted to FP16 by overrides, with Casts where they meet float32 tensors. On the CPU provider most float16 ops run behind ONNX Runtime's own Casts: this buys accuracy over {options.Precision}, not speed.");
        }

        var untouched = _nodes.Where(n => n.Precision == LayerPrecision.Fp16 && !converted.Contains(n.Name)).Select(n => n.Name).ToList();
        if (untouched.Count > 0)
        {
            result.Notes.Add($"{untouched.Count} node(s) selected for FP16 stay as they were (no float32 computation, or an op FP16 keeps in float32): {string.Join(", ", untouched.Take(5))}{(untouched.Count > 5 ? ", ..." : string.Empty)}.");
        }
    }
}
