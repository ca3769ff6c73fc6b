using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Fp16;

/// <summary>How a float32 tensor comes into being, which decides how its new type is chosen.</summary>
internal enum FloatTensorKind
{
    /// <summary>A graph's declared input (a subgraph's formal input included).</summary>
    GraphInput,

    /// <summary>A stored value: an initializer or a Constant node's value. Its consumers choose its type.</summary>
    StoredValue,

    /// <summary>Computed by a node; the node's domain (float16 or float32) decides its type.</summary>
    NodeOutput,
}

/// <summary>
/// One float32 tensor of the original model and the decisions about it: its home type (the type its
/// definition produces after conversion), the name it is produced under, and the Cast outputs that offer
/// it in the other type. Exactly one Cast per tensor per direction is created, shared by all consumers.
/// </summary>
internal sealed class FloatTensor
{
    public FloatTensor(string name, FloatTensorKind kind, Fp16Scope scope)
    {
        Name = name;
        Kind = kind;
        Scope = scope;
        HomeName = name;
    }

    /// <summary>The tensor's name in the original model.</summary>
    public string Name { get; }

    /// <summary>How the tensor is defined.</summary>
    public FloatTensorKind Kind { get; }

    /// <summary>The graph that defines it (casts of it are added there, visible to nested subgraphs).</summary>
    public Fp16Scope Scope { get; }

    /// <summary>The node producing the tensor (a Constant node for stored values held in one); null for inputs and initializers.</summary>
    public NodeProto? Producer { get; init; }

    /// <summary>The initializer holding the value (or the default of an overridable graph input).</summary>
    public TensorProto? Initializer { get; set; }

    /// <summary>The element type the definition produces after conversion.</summary>
    public DataType Home { get; set; } = DataType.Float;

    /// <summary>The name the definition writes; differs from <see cref="Name"/> only when a graph output needs a Cast.</summary>
    public string HomeName { get; set; }

    /// <summary>Some consumer reads this tensor as float16.</summary>
    public bool WantedAsFloat16 { get; set; }

    /// <summary>Some consumer reads this tensor as float32.</summary>
    public bool WantedAsFloat32 { get; set; }

    /// <summary>Cast outputs offering the tensor in a type other than <see cref="Home"/>.</summary>
    public Dictionary<DataType, string> CastOutputs { get; } = [];

    /// <summary>Notes that a consumer wants the tensor as <paramref name="type"/>.</summary>
    public void Want(DataType type)
    {
        if (type == DataType.Float16)
        {
            WantedAsFloat16 = true;
        }
        else
        {
            WantedAsFloat32 = true;
        }
    }
}
