using Google.Protobuf;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Onnx;

/// <summary>
/// Lists the external-data locations a model file names, without loading its weights: a streaming walk over the
/// protobuf wire format with Google.Protobuf's <see cref="CodedInputStream"/>, stepping into only the messages
/// that can hold tensors and skipping everything else. The engine vets these locations before ONNX Runtime is
/// given the file's path (static pre-processing, the quality check's float session), because ONNX Runtime resolves
/// external data itself and must never be led outside the model's folder.
/// </summary>
internal static class ExternalReferences
{
    // Field numbers from onnx.proto (the format's facts).
    private const int ModelGraph = 7, ModelFunctions = 25;
    private const int GraphNode = 1, GraphInitializer = 5, GraphSparseInitializer = 15;
    private const int FunctionNode = 7;
    private const int NodeAttribute = 5;
    private const int AttributeTensor = 5, AttributeGraph = 6, AttributeTensors = 10, AttributeGraphs = 11, AttributeSparseTensor = 22, AttributeSparseTensors = 23;
    private const int SparseValues = 1, SparseIndices = 2;
    private const int TensorName = 8, TensorExternalData = 13;
    private const int EntryKey = 1, EntryValue = 2;

    /// <summary>Nesting deeper than this (subgraphs in subgraphs...) is refused as an invalid model rather than recursed into.</summary>
    private const int MaxDepth = 64;

    /// <summary>The (tensor name, location) pairs of every external tensor in <paramref name="modelPath"/>.</summary>
    public static List<(string Tensor, string Location)> Scan(string modelPath)
    {
        var found = new List<(string, string)>();
        try
        {
            using var stream = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var input = new CodedInputStream(stream);
            Message(input, long.MaxValue, 0, found, field => field switch
            {
                ModelGraph => Kind.Graph,
                ModelFunctions => Kind.Function,
                _ => Kind.Skip,
            });
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new QuantizeException(ErrorCodes.InvalidModel, modelPath,
                $"'{modelPath}' is not a readable ONNX model: {ModelReader.InPlainWords(ex)} (protobuf: {ex.Message})", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new QuantizeException(ErrorCodes.InvalidModel, modelPath, $"'{modelPath}' is not a readable ONNX model: {ex.Message}.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuantizeException(ErrorCodes.ModelNotFound, modelPath, $"Cannot read the model file '{modelPath}': {ex.Message}", ex);
        }

        return found;
    }

    private enum Kind { Skip, Graph, Function, Node, Attribute, Tensor, Sparse }

    private static Func<int, Kind> FieldsOf(Kind kind) => kind switch
    {
        Kind.Graph => f => f is GraphNode ? Kind.Node : f is GraphInitializer ? Kind.Tensor : f is GraphSparseInitializer ? Kind.Sparse : Kind.Skip,
        Kind.Function => f => f is FunctionNode ? Kind.Node : Kind.Skip,
        Kind.Node => f => f is NodeAttribute ? Kind.Attribute : Kind.Skip,
        Kind.Attribute => f => f switch
        {
            AttributeTensor or AttributeTensors => Kind.Tensor,
            AttributeGraph or AttributeGraphs => Kind.Graph,
            AttributeSparseTensor or AttributeSparseTensors => Kind.Sparse,
            _ => Kind.Skip,
        },
        Kind.Sparse => f => f is SparseValues or SparseIndices ? Kind.Tensor : Kind.Skip,
        _ => _ => Kind.Skip,
    };

    /// <summary>Walks one message that ends at <paramref name="end"/>, descending into the fields <paramref name="fields"/> names.</summary>
    private static void Message(CodedInputStream input, long end, int depth, List<(string, string)> found, Func<int, Kind> fields)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException($"subgraphs nested more than {MaxDepth} deep");
        }

        while (input.Position < end)
        {
            uint tag = input.ReadTag();
            if (tag == 0)
            {
                return;
            }

            var kind = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited ? fields(WireFormat.GetTagFieldNumber(tag)) : Kind.Skip;
            if (kind == Kind.Skip)
            {
                input.SkipLastField();
                continue;
            }

            long nestedEnd = NestedEnd(input, end);
            if (kind == Kind.Tensor)
            {
                Tensor(input, nestedEnd, found);
            }
            else
            {
                Message(input, nestedEnd, depth + 1, found, FieldsOf(kind));
            }

            if (input.Position != nestedEnd)
            {
                throw new InvalidDataException("a nested message ends past its declared length");
            }
        }
    }

    private static void Tensor(CodedInputStream input, long end, List<(string, string)> found)
    {
        string name = "";
        string? location = null;
        while (input.Position < end)
        {
            uint tag = input.ReadTag();
            int field = WireFormat.GetTagFieldNumber(tag);
            bool delimited = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
            if (delimited && field == TensorName)
            {
                name = input.ReadString();
            }
            else if (delimited && field == TensorExternalData)
            {
                var (key, value) = Entry(input, NestedEnd(input, end));
                if (key == "location")
                {
                    location = value;
                }
            }
            else
            {
                input.SkipLastField();
            }
        }

        if (location is not null)
        {
            found.Add((name, location));
        }
    }

    private static (string Key, string Value) Entry(CodedInputStream input, long end)
    {
        string key = "", value = "";
        while (input.Position < end)
        {
            uint tag = input.ReadTag();
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case EntryKey when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    key = input.ReadString();
                    break;
                case EntryValue when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    value = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (key, value);
    }

    /// <summary>Reads a length prefix and returns where that nested message ends, refusing one that runs past its parent.</summary>
    private static long NestedEnd(CodedInputStream input, long parentEnd)
    {
        int length = input.ReadLength();
        long nestedEnd = input.Position + length;
        if (length < 0 || nestedEnd > parentEnd)
        {
            throw new InvalidDataException("a nested message is longer than the message that holds it");
        }

        return nestedEnd;
    }
}
