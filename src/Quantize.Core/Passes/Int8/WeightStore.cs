using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>A constant weight and the graph that stores it.</summary>
internal sealed record ConstantWeight(string Name, TensorProto Tensor, Int8RewriteScope Owner);

/// <summary>The initializers that hold one quantized weight (zero point may be shared-shape zeros).</summary>
internal sealed record QuantizedWeightNames(string Values, string Scale, string ZeroPoint);

/// <summary>
/// Finds constant weights and stores their quantized forms. A weight read by several nodes is quantized
/// once per form (e.g. plain, transposed for Gemm) and the initializers are shared; they live in the graph
/// that owns the float weight, so subgraphs reading an outer weight see them too.
/// </summary>
internal sealed class WeightStore
{
    private readonly ModelProto _model;
    private readonly Dictionary<GraphProto, int> _graphIds = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, object> _cache = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _replaced = new(StringComparer.Ordinal);

    public WeightStore(ModelProto model) => _model = model;

    /// <summary>Float tensors the pass stopped reading; removed at the end if nothing else reads them.</summary>
    public IReadOnlySet<string> Replaced => _replaced;

    /// <summary>
    /// The constant behind <paramref name="name"/> as seen from <paramref name="scope"/>, or null when it is
    /// computed, a graph input, or an initializer a caller may override (listed in graph.input, IR ≥ 4).
    /// </summary>
    public ConstantWeight? Find(Int8RewriteScope scope, string name)
    {
        for (var s = scope; s is not null; s = s.Outer)
        {
            if (s.Index.IsInitializer(name))
            {
                bool overridable = _model.IrVersion >= 4 && s.Index.IsGraphInput(name);
                return overridable ? null : new ConstantWeight(name, s.Index.Constant(name)!, s);
            }

            if (s.Index.ConstantNode(name) is not null)
            {
                return new ConstantWeight(name, s.Index.Constant(name)!, s);
            }

            if (s.Index.Producer(name) is not null || s.Index.IsGraphInput(name))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// Returns the stored result for (<paramref name="weight"/>, <paramref name="form"/>), creating it with
    /// <paramref name="create"/> the first time. Records the float weight as replaced.
    /// </summary>
    public T GetOrCreate<T>(ConstantWeight weight, string form, Func<T> create)
        where T : class
    {
        var key = $"{GraphId(weight.Owner.Graph)}\n{weight.Name}\n{form}";
        _replaced.Add(weight.Name);
        if (_cache.TryGetValue(key, out var existing))
        {
            return (T)existing;
        }

        var created = create();
        _cache[key] = created;
        return created;
    }

    /// <summary>Records a node output that fed a replaced weight (a Transpose), so it goes once nothing reads it.</summary>
    public void MarkReplaced(string name) => _replaced.Add(name);

    /// <summary>Adds <paramref name="tensor"/> as an initializer of <paramref name="owner"/>'s graph.</summary>
    public void AddInitializer(Int8RewriteScope owner, TensorProto tensor)
    {
        owner.Graph.Initializer.Add(tensor);
        if (_model.IrVersion < 4 && owner.Outer is null)
        {
            // IR < 4 requires every initializer of the main graph to be declared as a graph input.
            owner.Graph.Input.Add(new ValueInfoProto
            {
                Name = tensor.Name,
                Type = new TypeProto
                {
                    TensorType = new TypeProto.Types.Tensor
                    {
                        ElemType = tensor.DataType,
                        Shape = Shape(tensor.Dims),
                    },
                },
            });
        }
    }

    private static TensorShapeProto Shape(IEnumerable<long> dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return shape;
    }

    private int GraphId(GraphProto graph)
    {
        if (!_graphIds.TryGetValue(graph, out var id))
        {
            _graphIds[graph] = id = _graphIds.Count;
        }

        return id;
    }
}
