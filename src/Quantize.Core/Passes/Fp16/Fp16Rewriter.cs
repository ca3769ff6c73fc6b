using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Fp16;

/// <summary>
/// Applies an <see cref="Fp16Plan"/>: converts stored values, points every float input at the tensor in the
/// type its consumer wants (adding one shared Cast per tensor per direction at domain boundaries), retargets
/// type attributes of converted nodes, and fixes declared types of graph inputs, outputs and value_info.
/// </summary>
internal sealed class Fp16Rewriter
{
    private readonly Fp16Plan _plan;
    private readonly PassContext _context;
    private TensorProgress? _progress;

    public Fp16Rewriter(Fp16Plan plan, PassContext context)
    {
        _plan = plan;
        _context = context;
    }

    /// <summary>The element type of every tensor whose type the conversion decided (home names and Cast outputs).</summary>
    public Dictionary<string, DataType> FinalTypes { get; } = new(StringComparer.Ordinal);

    /// <summary>Cast nodes the rewrite inserted.</summary>
    public int CastsInserted { get; private set; }

    /// <summary>Rewrites the whole model.</summary>
    public void Rewrite()
    {
        var converted = ConvertedInitializers(_plan.Main).ToList();
        _progress = new TensorProgress(_context.Progress, "quantizing to Fp16", converted.Count, converted.Sum(t => 4 * t.ElementCount()));
        RewriteScope(_plan.Main);
        foreach (var (tensor, outputType) in _plan.RenamedOutputs)
        {
            _plan.Main.NewNodes.Add(CastNode(tensor.HomeName, tensor.Name, outputType));
            FinalTypes[tensor.Name] = outputType;
        }

        RecordHomeTypes(_plan.Main);
        AppendNewNodesAndFixDeclaredTypes(_plan.Main);
    }

    private void RewriteScope(Fp16Scope scope)
    {
        foreach (var node in scope.Graph.Node)
        {
            RewriteNode(scope, node);
        }

        ConvertInitializers(scope);

        if (!scope.IsMain)
        {
            foreach (var output in scope.Graph.Output)
            {
                output.Name = SubgraphOutputName(scope, output.Name);
            }
        }

        foreach (var child in scope.Children)
        {
            RewriteScope(child);
        }
    }

    private void RewriteNode(Fp16Scope scope, NodeProto node)
    {
        bool kept = _plan.IsKept(node);
        bool touchesFloat = false;
        for (int slot = 0; slot < node.Input.Count; slot++)
        {
            var tensor = node.Input[slot].Length > 0 ? scope.Resolve(node.Input[slot]) : null;
            if (tensor is not null)
            {
                touchesFloat = true;
                node.Input[slot] = NameAs(tensor, _plan.SlotType(node, slot));
            }
        }

        FloatTensor? firstOutput = null;
        for (int i = 0; i < node.Output.Count; i++)
        {
            var tensor = node.Output[i].Length > 0 ? scope.Resolve(node.Output[i]) : null;
            if (tensor is not null)
            {
                touchesFloat = true;
                firstOutput ??= tensor;
                node.Output[i] = tensor.HomeName;
            }
        }

        if (!touchesFloat)
        {
            return;
        }

        if (kept)
        {
            var reason = _context.Excluded.Matches(node) ? "excluded by the user" : "kept in float32 (no float16 kernel, or float16 range or precision breaks it)";
            _context.Result.Skipped.TryAdd(node.OpType, reason);
            return;
        }

        if (firstOutput is not null && firstOutput.Home == DataType.Float16 && node.Domain is "" or "ai.onnx")
        {
            switch (node.OpType)
            {
                case "Cast":
                    Fp16Values.RetargetTypeAttribute(node, "to");
                    break;
                case "EyeLike":
                    Fp16Values.RetargetTypeAttribute(node, "dtype");
                    break;
                case "ConstantOfShape":
                    Fp16Values.ConvertConstantOfShape(node);
                    break;
                case "Constant":
                    Fp16Values.ConvertConstant(node);
                    break;
            }
        }

        // A Constant read only by float32 nodes stays as it is: it was not converted.
        if (!(node.OpType == "Constant" && firstOutput?.Home == DataType.Float))
        {
            // The original name: a renamed graph output is still produced under it, by the Cast back to float32.
            _context.Result.RecordQuantized(node, firstOutput?.Name);
        }
    }

    private void ConvertInitializers(Fp16Scope scope)
    {
        var initializers = scope.Graph.Initializer;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < initializers.Count; i++)
        {
            index.TryAdd(initializers[i].Name, i);
        }

        foreach (var tensor in scope.FloatTensors)
        {
            if (tensor.Initializer is null || !index.TryGetValue(tensor.Name, out var position))
            {
                continue;
            }

            if (tensor.Home == DataType.Float16)
            {
                initializers[position] = Fp16Values.ToFloat16(tensor.Initializer, tensor.HomeName);
                _context.DoneWith(tensor.Initializer, [initializers[position]]);
                _progress?.Done(tensor.Name, 4 * tensor.Initializer.ElementCount());
                _context.Result.CountQuantized(QuantizeResult.Initializers);
            }
            else
            {
                initializers[position].Name = tensor.HomeName;
            }
        }
    }

    /// <summary>The initializers the plan converts to float16, in every scope (for progress on long runs).</summary>
    private static IEnumerable<TensorProto> ConvertedInitializers(Fp16Scope scope) =>
        scope.FloatTensors.Where(t => t.Home == DataType.Float16 && t.Initializer is not null).Select(t => t.Initializer!)
            .Concat(scope.Children.SelectMany(ConvertedInitializers));

    /// <summary>
    /// A subgraph's outputs are matched to its node's outputs by position, so their names may change
    /// freely: an output of the wrong type is replaced by a Cast inside the subgraph.
    /// </summary>
    private string SubgraphOutputName(Fp16Scope scope, string name)
    {
        var tensor = scope.Resolve(name);
        if (tensor is null)
        {
            return name;
        }

        if (tensor.Home == scope.BoundaryType || tensor.Scope == scope)
        {
            return NameAs(tensor, scope.BoundaryType);
        }

        // An outer value returned directly: cast it here rather than make the subgraph return an outer Cast.
        var output = _context.Names.Fresh(tensor.Name + Suffix(scope.BoundaryType));
        scope.NewNodes.Add(CastNode(tensor.HomeName, output, scope.BoundaryType));
        FinalTypes[output] = scope.BoundaryType;
        return output;
    }

    /// <summary>The name under which <paramref name="tensor"/> is available as <paramref name="type"/>.</summary>
    private string NameAs(FloatTensor tensor, DataType type)
    {
        if (tensor.Home == type)
        {
            return tensor.HomeName;
        }

        if (tensor.CastOutputs.TryGetValue(type, out var existing))
        {
            return existing;
        }

        // The Cast goes into the graph defining the tensor, so consumers in nested subgraphs share it.
        var output = _context.Names.Fresh(tensor.Name + Suffix(type));
        tensor.CastOutputs[type] = output;
        tensor.Scope.NewNodes.Add(CastNode(tensor.HomeName, output, type));
        FinalTypes[output] = type;
        return output;
    }

    private NodeProto CastNode(string input, string output, DataType to)
    {
        CastsInserted++;
        var node = new NodeProto { OpType = "Cast", Name = _context.Names.Fresh(output + "_cast") };
        node.Input.Add(input);
        node.Output.Add(output);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)to });
        return node;
    }

    private static string Suffix(DataType type) => type == DataType.Float16 ? "_fp16" : "_fp32";

    private void RecordHomeTypes(Fp16Scope scope)
    {
        foreach (var tensor in scope.FloatTensors)
        {
            FinalTypes[tensor.HomeName] = tensor.Home;
        }

        foreach (var child in scope.Children)
        {
            RecordHomeTypes(child);
        }
    }

    private void AppendNewNodesAndFixDeclaredTypes(Fp16Scope scope)
    {
        var graph = scope.Graph;
        graph.Node.AddRange(scope.NewNodes);

        if (scope.IsMain && _plan.InitializersAreListedAsInputs)
        {
            // IR < 4 lists initializers among the inputs; the entry follows its initializer's name and type.
            foreach (var input in graph.Input)
            {
                var tensor = scope.Resolve(input.Name);
                if (tensor?.Kind == FloatTensorKind.StoredValue && tensor.Initializer is not null)
                {
                    input.Name = tensor.HomeName;
                }
            }
        }

        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            if (value.Type?.TensorType is { } tensorType && FinalTypes.TryGetValue(value.Name, out var type))
            {
                tensorType.ElemType = (int)type;
            }
        }

        foreach (var child in scope.Children)
        {
            AppendNewNodesAndFixDeclaredTypes(child);
        }
    }
}
