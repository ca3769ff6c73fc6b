using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Onnx;

/// <summary>
/// Element types of every tensor in a model, as ONNX Runtime infers them when it loads the model. C# has
/// no ONNX shape inference, and ORT does not write inferred <c>value_info</c> back out for an optimized
/// model, so we ask it directly: a probe copy of each graph declares every intermediate tensor as a graph
/// output, and the session's output metadata then carries the inferred type of each one. Subgraphs are
/// probed as standalone models whose outer-scope values become typed inputs.
/// </summary>
public static class RuntimeTypeInference
{
    /// <summary>Initializers at least this large are handed to ORT as typed graph inputs instead of data.</summary>
    private const int StripAboveElements = 256;

    /// <summary>Returns tensor name → element type for all graphs of <paramref name="model"/> (names are unique model-wide).</summary>
    public static IReadOnlyDictionary<string, DataType> Infer(ModelProto model, string modelPath)
    {
        var types = new Dictionary<string, DataType>(StringComparer.Ordinal);
        try
        {
            ProbeGraph(model, model.Graph, types);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new QuantizeException(ErrorCodes.RuntimeRejectedModel, modelPath,
                $"ONNX Runtime cannot load '{modelPath}', so its tensor types are unknown: {ex.Message}", ex);
        }

        return types;
    }

    private static void ProbeGraph(ModelProto model, GraphProto graph, Dictionary<string, DataType> types)
    {
        foreach (var value in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
        {
            if (value.Type?.TensorType is { HasElemType: true } t && t.ElemType != 0)
            {
                types.TryAdd(value.Name, (DataType)t.ElemType);
            }
        }

        foreach (var initializer in graph.Initializer)
        {
            types.TryAdd(initializer.Name, initializer.ElementType());
        }

        // Only what ORT needs to resolve the graph: cloning the whole model here would copy every graph's
        // message tree once per probed (sub)graph, only to replace it.
        var probe = new ModelProto { IrVersion = model.IrVersion, Graph = BuildProbeGraph(graph, types) };
        probe.OpsetImport.AddRange(model.OpsetImport);
        probe.Functions.AddRange(model.Functions);

        using (var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        })
        using (var session = new InferenceSession(probe.ToByteArray(), options))
        {
            foreach (var (name, metadata) in session.OutputMetadata)
            {
                if (metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR)
                {
                    types.TryAdd(name, (DataType)(int)metadata.ElementDataType);
                }
            }
        }

        foreach (var node in graph.Node)
        {
            foreach (var subgraph in GraphWalker.Subgraphs(node))
            {
                ProbeGraph(model, subgraph, types);
            }
        }
    }

    /// <summary>
    /// A copy of <paramref name="graph"/> in which outer-scope values and large initializers are typed graph
    /// inputs (types do not depend on weight values, so ORT loads even a multi-GB model in milliseconds and
    /// without a second copy of its weights) and every node output is a graph output.
    /// </summary>
    private static GraphProto BuildProbeGraph(GraphProto graph, Dictionary<string, DataType> knownTypes)
    {
        var probe = graph.Clone();
        var declared = probe.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var kept = new List<TensorProto>();
        foreach (var initializer in probe.Initializer)
        {
            if (initializer.ElementCount() < StripAboveElements || initializer.ElementType() is DataType.Int64 or DataType.Int32)
            {
                kept.Add(initializer);
                continue;
            }

            if (declared.Add(initializer.Name))
            {
                probe.Input.Add(TypedValue(initializer.Name, initializer.DataType, initializer.Dims));
            }
            else
            {
                var input = probe.Input.First(i => i.Name == initializer.Name);
                input.Type ??= TypedValue(initializer.Name, initializer.DataType, initializer.Dims).Type;
            }
        }

        probe.Initializer.Clear();
        probe.Initializer.AddRange(kept);

        // A subgraph reads values of enclosing graphs; standalone, they must be declared inputs.
        var produced = probe.Node.SelectMany(n => n.Output).Concat(declared).Concat(kept.Select(k => k.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var node in probe.Node)
        {
            foreach (var input in node.Input.Concat(GraphWalker.OuterScopeInputs(node)))
            {
                if (input.Length > 0 && !produced.Contains(input) && knownTypes.TryGetValue(input, out var type))
                {
                    probe.Input.Add(TypedValue(input, (int)type, null));
                    produced.Add(input);
                }
            }
        }

        var outputs = probe.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var output in probe.Node.SelectMany(n => n.Output))
        {
            if (output.Length > 0 && outputs.Add(output))
            {
                probe.Output.Add(new ValueInfoProto { Name = output });
            }
        }

        return probe;
    }

    private static ValueInfoProto TypedValue(string name, int elementType, IEnumerable<long>? dims)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = elementType };
        if (dims is not null)
        {
            tensorType.Shape = new TensorShapeProto();
            tensorType.Shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
