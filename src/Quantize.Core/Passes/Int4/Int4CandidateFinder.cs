using System.Globalization;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int4;

/// <summary>
/// Finds the MatMul and embedding Gather nodes with constant float32 weights, in every graph (subgraphs
/// included), in a stable order: each graph's nodes in file order, then its subgraphs depth first. Nodes
/// that read such a weight but cannot or should not be quantized are recorded with the reason.
/// </summary>
internal sealed class Int4CandidateFinder
{
    private readonly PassContext _context;
    private readonly List<Int4Candidate> _candidates = [];
    private readonly SkipLog _skipped;

    private Int4CandidateFinder(PassContext context, SkipLog skipped)
    {
        _context = context;
        _skipped = skipped;
    }

    /// <summary>The decoder input that indexes positional tables (the KV-cache export convention).</summary>
    private const string PositionIds = "position_ids";

    // Automatic block sizes only ever refine weights that blocks of the default size would take: a row
    // shorter than that is skipped either way.
    private int MinimumLength => _context.Options.BlockSize ?? QuantizeOptions.DefaultBlockSize;

    /// <summary>Every eligible node of the model.</summary>
    public static List<Int4Candidate> Find(PassContext context, SkipLog skipped)
    {
        var finder = new Int4CandidateFinder(context, skipped);
        finder.Visit(context.Model.Graph, null);
        return finder._candidates;
    }

    private void Visit(GraphProto graph, GraphIndex? outer)
    {
        var index = new GraphIndex(graph, outer);
        foreach (var node in graph.Node)
        {
            if (node.Domain is "" or "ai.onnx")
            {
                var candidate = node.OpType switch
                {
                    "MatMul" when node.Input.Count == 2 => MatMul(index, node),
                    "Gather" when node.Input.Count == 2 => Embedding(index, node),
                    _ => null,
                };
                if (candidate is not null)
                {
                    _candidates.Add(candidate);
                }
            }
        }

        foreach (var node in graph.Node)
        {
            foreach (var subgraph in GraphWalker.Subgraphs(node))
            {
                Visit(subgraph, index);
            }
        }
    }

    private Int4Candidate? MatMul(GraphIndex index, NodeProto node)
    {
        var transpose = WeightTranspose.Find(index, node.Input[1]);
        var weight = FloatWeight(index, transpose?.Input[0] ?? node.Input[1]);
        if (weight is null)
        {
            return null; // activations × activations (attention scores): nothing to quantize.
        }

        if (weight.Tensor.Dims.Count != 2)
        {
            return Skip(node, "its weight is not 2-D");
        }

        int k = checked((int)weight.Tensor.Dims[transpose is null ? 0 : 1]);
        int n = checked((int)weight.Tensor.Dims[transpose is null ? 1 : 0]);
        if (k < MinimumLength)
        {
            // One padded block would hold more padding than weights; ORT's quantizer skips these too.
            return Skip(node, string.Create(CultureInfo.InvariantCulture, $"K is smaller than the block size {MinimumLength}"));
        }

        return Common(node, weight) ? new Int4Candidate(index, node, weight, Int4Target.MatMul, n, k) { Transpose = transpose } : null;
    }

    private Int4Candidate? Embedding(GraphIndex index, NodeProto node)
    {
        var weight = FloatWeight(index, node.Input[0]);
        if (weight is null || weight.Tensor.Dims.Count != 2)
        {
            return null; // shape arithmetic and other Gathers over computed or non-matrix data.
        }

        long axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 0;
        if (axis is not (0 or -2))
        {
            return Skip(node, "it gathers along axis 1, not table rows");
        }

        if (node.Input[1] == PositionIds)
        {
            // Rotary cos/sin caches and learned position tables: 16 levels would move every attention score.
            return Skip(node, "it looks up positional tables by position_ids");
        }

        int rows = checked((int)weight.Tensor.Dims[0]);
        int width = checked((int)weight.Tensor.Dims[1]);
        if (width % 2 != 0)
        {
            // GatherBlockQuantized derives the row width from the packed byte count (two per byte).
            return Skip(node, "its embedding width is odd");
        }

        if (width < MinimumLength)
        {
            return Skip(node, string.Create(CultureInfo.InvariantCulture, $"its embedding width is smaller than the block size {MinimumLength}"));
        }

        return Common(node, weight) ? new Int4Candidate(index, node, weight, Int4Target.Embedding, rows, width) : null;
    }

    private bool Common(NodeProto node, ConstantWeight weight)
    {
        if (_context.Excluded.Matches(node))
        {
            Skip(node, "excluded by the user");
            return false;
        }

        if (weight.IsOverridable(_context.Model))
        {
            Skip(node, "its weight is a graph input callers may override");
            return false;
        }

        if (weight.Tensor.ElementCount() < _context.Options.MinElements)
        {
            Skip(node, string.Create(CultureInfo.InvariantCulture, $"its weight has fewer than {_context.Options.MinElements} elements"));
            return false;
        }

        // Whether its values are finite is asked when the pass reaches it (Int4WeightOnlyPass), while its pages are resident.
        return true;
    }

    private Int4Candidate? Skip(NodeProto node, string reason)
    {
        _skipped.Add(node.OpType, reason);
        return null;
    }

    private static ConstantWeight? FloatWeight(GraphIndex index, string name)
    {
        var weight = name.Length == 0 ? null : ConstantWeight.Find(index, name);
        return weight is not null && weight.Tensor.ElementType() == DataType.Float ? weight : null;
    }
}
