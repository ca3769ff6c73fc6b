using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Fp16;

/// <summary>
/// One graph of the model during FP16 conversion: the names it defines, its float32 tensors, the type its
/// formal inputs and outputs take, and the nodes the conversion adds to it. Name lookups fall back to the
/// enclosing graph, as ONNX scoping does for subgraphs.
/// </summary>
internal sealed class Fp16Scope
{
    private readonly HashSet<string> _defined = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FloatTensor> _floats = new(StringComparer.Ordinal);

    public Fp16Scope(GraphProto graph, Fp16Scope? parent, DataType boundaryType)
    {
        Graph = graph;
        Parent = parent;
        BoundaryType = boundaryType;
    }

    /// <summary>The graph.</summary>
    public GraphProto Graph { get; }

    /// <summary>The enclosing graph's scope; null for the main graph.</summary>
    public Fp16Scope? Parent { get; }

    /// <summary>True for the model's main graph.</summary>
    public bool IsMain => Parent is null;

    /// <summary>
    /// The float type of this graph's formal inputs and outputs: for a subgraph, the domain of the node
    /// holding it (so If/Loop/Scan see consistent types); for the main graph, chosen by KeepIoTypes.
    /// </summary>
    public DataType BoundaryType { get; }

    /// <summary>Nested scopes, in graph order.</summary>
    public List<Fp16Scope> Children { get; } = [];

    /// <summary>Float32 tensors defined here, in definition order (for deterministic iteration).</summary>
    public List<FloatTensor> FloatTensors { get; } = [];

    /// <summary>Nodes added by the conversion, appended to the graph once it is rewritten.</summary>
    public List<NodeProto> NewNodes { get; } = [];

    /// <summary>Records that this graph defines <paramref name="name"/> (of any type).</summary>
    public void Define(string name) => _defined.Add(name);

    /// <summary>Records a float32 tensor defined here.</summary>
    public FloatTensor DefineFloat(string name, FloatTensorKind kind, NodeProto? producer = null)
    {
        _defined.Add(name);
        var tensor = new FloatTensor(name, kind, this) { Producer = producer };
        _floats[name] = tensor;
        FloatTensors.Add(tensor);
        return tensor;
    }

    /// <summary>True when this graph itself defines <paramref name="name"/>.</summary>
    public bool DefinesLocally(string name) => _defined.Contains(name);

    /// <summary>The float32 tensor <paramref name="name"/> refers to from here, or null when it is not float32.</summary>
    public FloatTensor? Resolve(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._defined.Contains(name))
            {
                return scope._floats.GetValueOrDefault(name);
            }
        }

        return null;
    }
}
