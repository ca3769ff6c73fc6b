using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Inspection;

/// <summary>Gathers a <see cref="ModelInspection"/> from a model file or a loaded model.</summary>
public static class ModelInspector
{
    private const string DefaultDomain = "ai.onnx";

    /// <summary>
    /// Loads <paramref name="path"/> (validated, external data resolved inside its folder) and inspects it.
    /// Throws <see cref="Diagnostics.QuantizeException"/> for files that are not usable models.
    /// </summary>
    public static ModelInspection Inspect(string path)
    {
        var (model, storedBytes) = ModelReader.Load(path);
        return Inspect(model, path, storedBytes);
    }

    /// <summary>Inspects an already loaded model.</summary>
    public static ModelInspection Inspect(ModelProto model, string path, long storedBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph;
        var initializerNames = new HashSet<string>(graph.Initializer.Select(i => i.Name), StringComparer.Ordinal);

        var opsets = model.OpsetImport
            .Select(o => new OpsetImport(DomainName(o.Domain), o.Version))
            .OrderBy(o => o.Domain, StringComparer.Ordinal)
            .ToList();

        // IR < 4 exporters list every initializer among the graph inputs; those are weights, not inputs.
        var inputs = graph.Input.Where(i => !initializerNames.Contains(i.Name)).Select(Signature).ToList();
        var outputs = graph.Output.Select(Signature).ToList();

        var (operators, nodeCount, nodesInSubgraphs, subgraphCount) = CountOperators(graph);
        return new ModelInspection(
            path,
            storedBytes,
            model.IrVersion,
            model.ProducerName,
            model.ProducerVersion,
            opsets,
            inputs,
            outputs,
            operators,
            GroupParameters(model),
            nodeCount,
            nodesInSubgraphs,
            subgraphCount);
    }

    private static (List<OperatorCount> Operators, int Nodes, int NodesInSubgraphs, int Subgraphs) CountOperators(GraphProto root)
    {
        var counts = new Dictionary<(string Domain, string OpType), (int All, int Nested)>();
        int nodes = 0, nested = 0, subgraphs = 0;
        foreach (var graph in GraphWalker.AllGraphs(root))
        {
            bool isSubgraph = !ReferenceEquals(graph, root);
            subgraphs += isSubgraph ? 1 : 0;
            foreach (var node in graph.Node)
            {
                var key = (DomainName(node.Domain), node.OpType);
                counts.TryGetValue(key, out var c);
                counts[key] = (c.All + 1, c.Nested + (isSubgraph ? 1 : 0));
                nodes++;
                nested += isSubgraph ? 1 : 0;
            }
        }

        var operators = counts
            .Select(kv => new OperatorCount(kv.Key.Domain, kv.Key.OpType, kv.Value.All, kv.Value.Nested))
            .OrderByDescending(o => o.Count)
            .ThenBy(o => o.Domain, StringComparer.Ordinal)
            .ThenBy(o => o.OpType, StringComparer.Ordinal)
            .ToList();
        return (operators, nodes, nested, subgraphs);
    }

    private static List<ParameterGroup> GroupParameters(ModelProto model)
    {
        var groups = new Dictionary<int, (int Tensors, long Elements, long Bytes)>();
        foreach (var tensor in ModelTensors.All(model))
        {
            long elements = tensor.ElementCount();
            int bits = ElementTypes.Bits(tensor.ElementType());
            // Logical size at the type's width: float16 kept in int32_data is still 2 bytes an element.
            long bytes = bits > 0 ? ((elements * bits) + 7) / 8 : tensor.PayloadBytes();
            groups.TryGetValue(tensor.DataType, out var g);
            groups[tensor.DataType] = (g.Tensors + 1, g.Elements + elements, g.Bytes + bytes);
        }

        return groups
            .Select(kv => new ParameterGroup(ElementTypes.Name(kv.Key), kv.Value.Tensors, kv.Value.Elements, kv.Value.Bytes))
            .OrderByDescending(g => g.Bytes)
            .ThenBy(g => g.ElementType, StringComparer.Ordinal)
            .ToList();
    }

    private static TensorSignature Signature(ValueInfoProto value) => new(value.Name, TypeName(value.Type), Shape(value.Type));

    private static string TypeName(TypeProto? type) => type?.ValueCase switch
    {
        TypeProto.ValueOneofCase.TensorType => ElementTypes.Name(type.TensorType.ElemType),
        TypeProto.ValueOneofCase.SparseTensorType => $"sparse({ElementTypes.Name(type.SparseTensorType.ElemType)})",
        TypeProto.ValueOneofCase.SequenceType => $"sequence({TypeName(type.SequenceType.ElemType)})",
        TypeProto.ValueOneofCase.OptionalType => $"optional({TypeName(type.OptionalType.ElemType)})",
        TypeProto.ValueOneofCase.MapType => $"map({ElementTypes.Name(type.MapType.KeyType)}, {TypeName(type.MapType.ValueType)})",
        _ => "unknown",
    };

    private static List<Dimension>? Shape(TypeProto? type)
    {
        var shape = type?.ValueCase switch
        {
            TypeProto.ValueOneofCase.TensorType => type.TensorType.Shape,
            TypeProto.ValueOneofCase.SparseTensorType => type.SparseTensorType.Shape,
            _ => null,
        };
        return shape?.Dim
            .Select(d => d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => new Dimension(d.DimValue, null),
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam when d.DimParam.Length > 0 => new Dimension(null, d.DimParam),
                _ => new Dimension(null, null),
            })
            .ToList();
    }

    private static string DomainName(string domain) => domain.Length == 0 ? DefaultDomain : domain;
}
