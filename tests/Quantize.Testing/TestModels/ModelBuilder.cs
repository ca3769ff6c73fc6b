using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

/// <summary>
/// Builds small ONNX models in code for tests (no binary models in the repository). Weights come from a
/// seeded generator so every run builds byte-identical models.
/// </summary>
public sealed class ModelBuilder
{
    private readonly GraphProto _graph;
    private readonly Random _random;
    private int _counter;

    public ModelBuilder(long opset = 17, long irVersion = 8, int seed = 42, GraphProto? graph = null)
    {
        Model = new ModelProto { IrVersion = irVersion, ProducerName = "Quantize.Core.Tests" };
        Model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = opset });
        _graph = graph ?? new GraphProto { Name = "test" };
        Model.Graph = _graph;
        _random = new Random(seed);
    }

    public ModelProto Model { get; }

    public GraphProto Graph => _graph;

    /// <summary>Declares a graph input. Dimensions are ints (static) or strings (symbolic).</summary>
    public string Input(string name, DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares a graph output.</summary>
    public string Output(string name, DataType type, params object[] dims)
    {
        _graph.Output.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Adds an initializer holding <paramref name="values"/>.</summary>
    public string Initializer(string name, float[] values, params long[] dims)
    {
        _graph.Initializer.Add(TensorValues.FromFloats(name, dims, values));
        return name;
    }

    /// <summary>Adds an int64 initializer (shapes, axes, indices).</summary>
    public string Int64Initializer(string name, long[] values, params long[] dims)
    {
        _graph.Initializer.Add(TensorValues.Create<long>(name, DataType.Int64, dims, values));
        return name;
    }

    /// <summary>Adds a float initializer of seeded uniform values in [-scale, scale).</summary>
    public string RandomInitializer(string name, float scale, params long[] dims) => Initializer(name, RandomValues(dims, scale), dims);

    /// <summary>Adds a Constant node holding seeded random values; returns its output.</summary>
    public string RandomConstant(string name, float scale, params long[] dims)
    {
        var node = new NodeProto { OpType = "Constant", Name = name + "_node" };
        node.Output.Add(name);
        node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = TensorValues.FromFloats(name, dims, RandomValues(dims, scale)) });
        _graph.Node.Add(node);
        return name;
    }

    /// <summary>Adds a node and returns its first output (named after the node unless given).</summary>
    public string Node(string opType, string[] inputs, string? name = null, string? output = null, params AttributeProto[] attributes)
        => NodeWithOutputs(opType, inputs, 1, name, output is null ? null : [output], attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs.</summary>
    public string[] NodeWithOutputs(string opType, string[] inputs, int outputCount, string? name = null, string[]? outputs = null, params AttributeProto[] attributes)
    {
        name ??= $"{opType}_{_counter++}";
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        outputs ??= [.. Enumerable.Range(0, outputCount).Select(i => outputCount == 1 ? $"{name}_out" : $"{name}_out{i}")];
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return outputs;
    }

    public float[] RandomValues(long[] dims, float scale)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        var values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((_random.NextDouble() * 2) - 1) * scale;
        }

        return values;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto GraphAttribute(string name, GraphProto graph) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };

    public static ValueInfoProto ValueInfo(string name, DataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                _ => new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) },
            });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
