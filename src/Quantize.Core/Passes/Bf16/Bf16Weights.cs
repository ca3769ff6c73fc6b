using System.Runtime.InteropServices;
using Quantize.Core.Graph;
using Quantize.Core.Numerics;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Bf16;

/// <summary>
/// Finds the float32 weights worth storing as bfloat16 and rewrites each one as a bfloat16 initializer (or
/// Constant value) under a fresh name, followed by a Cast back to float32 under the original name, so every
/// consumer keeps reading float32 and nothing else in the graph changes.
/// </summary>
internal sealed class Bf16Weights
{
    private readonly PassContext _context;
    private readonly HashSet<string> _readByExcluded;

    public Bf16Weights(PassContext context)
    {
        _context = context;
        _readByExcluded = NamesReadByExcludedNodes(context.Model.Graph, context.Excluded);
    }

    /// <summary>Weights that will be converted: (graph, initializer) or (graph, Constant node), in file order.</summary>
    public List<(GraphProto Graph, TensorProto? Initializer, NodeProto? Constant)> FindEligible()
    {
        var eligible = new List<(GraphProto, TensorProto?, NodeProto?)>();
        var main = _context.Model.Graph;
        foreach (var graph in GraphWalker.AllGraphs(main))
        {
            // From IR 4 on, an initializer listed among the inputs is a default the caller may replace: an input.
            var overridable = graph == main && _context.Model.IrVersion >= 4
                ? graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal)
                : [];
            foreach (var initializer in graph.Initializer)
            {
                if (IsEligible(initializer, initializer.Name) && !overridable.Contains(initializer.Name))
                {
                    eligible.Add((graph, initializer, null));
                }
            }

            foreach (var node in graph.Node)
            {
                if (node.OpType == "Constant" && node.Domain is "" or "ai.onnx" && node.Output.Count == 1
                    && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value
                    && !_context.Excluded.Matches(node) && IsEligible(value, node.Output[0]))
                {
                    eligible.Add((graph, null, node));
                }
            }
        }

        return eligible;
    }

    /// <summary>Converts one weight found by <see cref="FindEligible"/>.</summary>
    public void Convert(GraphProto graph, TensorProto? initializer, NodeProto? constant)
    {
        if (initializer is not null)
        {
            var original = initializer.Name;
            var stored = _context.Names.Fresh(original + "_bf16");
            int index = graph.Initializer.IndexOf(initializer);
            graph.Initializer[index] = ToBFloat16(initializer, stored);
            _context.DoneWith(initializer, [graph.Initializer[index]]);
            graph.Node.Add(CastToFloat(stored, original));
            if (_context.Model.IrVersion < 4)
            {
                // IR < 4 lists every initializer among the inputs: the entry follows the stored tensor.
                foreach (var input in graph.Input.Where(i => i.Name == original))
                {
                    input.Name = stored;
                    if (input.Type?.TensorType is { } tensorType)
                    {
                        tensorType.ElemType = (int)DataType.Bfloat16;
                    }
                }
            }

            _context.Result.CountQuantized(QuantizeResult.Initializers);
        }
        else if (constant is not null)
        {
            var original = constant.Output[0];
            var stored = _context.Names.Fresh(original + "_bf16");
            var value = constant.Attribute.First(a => a.Name == "value");
            value.T = ToBFloat16(value.T, value.T.Name);
            constant.Output[0] = stored;
            graph.Node.Add(CastToFloat(stored, original));
            _context.Result.CountQuantized("Constant");
        }
    }

    /// <summary>A Cast from <paramref name="input"/> to float32 named after its output.</summary>
    public NodeProto CastToFloat(string input, string output) => Cast(input, output, DataType.Float);

    /// <summary>A Cast node from <paramref name="input"/> to <paramref name="to"/>.</summary>
    public NodeProto Cast(string input, string output, DataType to)
    {
        var node = new NodeProto { OpType = "Cast", Name = _context.Names.Fresh(output + "_cast") };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)to });
        return node;
    }

    /// <summary><paramref name="tensor"/>'s values rounded to bfloat16 (nearest even), stored as raw_data.</summary>
    public static TensorProto ToBFloat16(TensorProto tensor, string name)
    {
        var values = tensor.FloatView();
        var raw = new byte[values.Length * sizeof(ushort)];
        BFloat16Converter.ToBFloat16(values, MemoryMarshal.Cast<byte, ushort>(raw.AsSpan()));
        var converted = TensorValues.Create(name, DataType.Bfloat16, tensor.Dims, raw);
        if (tensor.DocString.Length > 0)
        {
            converted.DocString = tensor.DocString;
        }

        return converted;
    }

    private bool IsEligible(TensorProto tensor, string name) =>
        tensor.ElementType() == DataType.Float && tensor.ElementCount() >= _context.Options.MinElements && !_readByExcluded.Contains(name);

    /// <summary>
    /// Every name an excluded node reads, counting nodes inside an excluded node's subgraphs as excluded:
    /// a weight shared with an excluded node stays float32 for all its readers.
    /// </summary>
    private static HashSet<string> NamesReadByExcludedNodes(GraphProto main, NodeSelector excluded)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        Collect(main, insideExcluded: false);
        return names;

        void Collect(GraphProto graph, bool insideExcluded)
        {
            foreach (var node in graph.Node)
            {
                bool isExcluded = insideExcluded || excluded.Matches(node);
                if (isExcluded)
                {
                    names.UnionWith(node.Input);
                    names.UnionWith(GraphWalker.OuterScopeInputs(node));
                }

                foreach (var subgraph in GraphWalker.Subgraphs(node))
                {
                    Collect(subgraph, isExcluded);
                }
            }
        }
    }
}
