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

    /// <summary>
    /// Graphs with more nodes are probed in consecutive segments of this many (in topological order), each
    /// segment's inputs typed from the segments before it. ONNX Runtime's load time grows faster than linearly
    /// with graph size (measured: 20k nodes 1.5 s, 50k 5.9 s; 11 s with every output declared), so bounded
    /// segments keep type inference linear in the model's size.
    /// </summary>
    internal const int SegmentNodes = 4096;

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

        foreach (var segment in Segments(graph))
        {
            ProbeSegment(model, segment, types);
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
    /// <paramref name="graph"/> itself when it is small; otherwise views of it (nodes in topological order, the
    /// initializers and inputs those nodes read) of at most <see cref="SegmentNodes"/> nodes each. The views share
    /// the graph's messages and are never changed (the probe clones what it keeps).
    /// </summary>
    private static IEnumerable<GraphProto> Segments(GraphProto graph)
    {
        if (graph.Node.Count <= SegmentNodes)
        {
            yield return graph;
            yield break;
        }

        var ordered = new GraphProto();
        ordered.Node.AddRange(graph.Node);
        TopologicalSorter.Sort(ordered);
        var initializers = graph.Initializer.ToDictionary(i => i.Name, StringComparer.Ordinal);
        var inputs = graph.Input.ToDictionary(i => i.Name, StringComparer.Ordinal);
        for (int start = 0; start < ordered.Node.Count; start += SegmentNodes)
        {
            var segment = new GraphProto { Name = graph.Name };
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in ordered.Node.Skip(start).Take(SegmentNodes))
            {
                segment.Node.Add(node);
                foreach (var input in node.Input.Concat(GraphWalker.OuterScopeInputs(node)))
                {
                    if (referenced.Add(input))
                    {
                        if (inputs.TryGetValue(input, out var graphInput))
                        {
                            segment.Input.Add(graphInput);
                        }

                        if (initializers.TryGetValue(input, out var initializer))
                        {
                            segment.Initializer.Add(initializer);
                        }
                    }
                }
            }

            yield return segment;
        }
    }

    /// <summary>Loads the probe of one (segment of a) graph in ONNX Runtime and records the type of every tensor it infers.</summary>
    private static void ProbeSegment(ModelProto model, GraphProto segment, Dictionary<string, DataType> types)
    {
        // Only what ORT needs to resolve the graph: cloning the whole model here would copy every graph's
        // message tree once per probed (sub)graph, only to replace it.
        var probe = new ModelProto { IrVersion = model.IrVersion, Graph = BuildProbeGraph(segment, types) };
        probe.OpsetImport.AddRange(model.OpsetImport);
        probe.Functions.AddRange(model.Functions);

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        using var session = new InferenceSession(probe.ToByteArray(), options);
        foreach (var (name, metadata) in session.OutputMetadata)
        {
            if (metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR)
            {
                types.TryAdd(name, (DataType)(int)metadata.ElementDataType);
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
        var inputsByName = probe.Input.GroupBy(i => i.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
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
                var input = inputsByName[initializer.Name];
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
