namespace Quantize.Core.Inspection;

/// <summary>
/// The facts about a model that people and tools ask for first: what it takes and returns, which
/// operators it uses, and where its bytes are. Produced by <see cref="ModelInspector"/>; rendered by the
/// CLI's <c>inspect</c> command and reusable by the build (manifests) and reports.
/// </summary>
/// <param name="Path">The file inspected, as given.</param>
/// <param name="StoredBytes">Bytes on disk, external-data files included.</param>
/// <param name="IrVersion">The ONNX IR version.</param>
/// <param name="ProducerName">The exporter that wrote the model (empty when not recorded).</param>
/// <param name="ProducerVersion">The exporter's version (empty when not recorded).</param>
/// <param name="Opsets">Imported operator sets, as declared (imported is not the same as used).</param>
/// <param name="Inputs">Graph inputs the caller feeds (initializers listed as inputs by old exporters are left out).</param>
/// <param name="Outputs">Graph outputs.</param>
/// <param name="Operators">Node counts per domain and op type over every graph, most frequent first.</param>
/// <param name="Parameters">Stored tensors (initializers and Constant values, subgraphs included) per element type.</param>
/// <param name="NodeCount">Nodes in all graphs.</param>
/// <param name="NodesInSubgraphs">Of <paramref name="NodeCount"/>, how many sit inside subgraphs (If/Loop/Scan bodies).</param>
/// <param name="SubgraphCount">Subgraphs held by node attributes, at any depth.</param>
public sealed record ModelInspection(
    string Path,
    long StoredBytes,
    long IrVersion,
    string ProducerName,
    string ProducerVersion,
    IReadOnlyList<OpsetImport> Opsets,
    IReadOnlyList<TensorSignature> Inputs,
    IReadOnlyList<TensorSignature> Outputs,
    IReadOnlyList<OperatorCount> Operators,
    IReadOnlyList<ParameterGroup> Parameters,
    int NodeCount,
    int NodesInSubgraphs,
    int SubgraphCount)
{
    /// <summary>Total bytes of all stored tensors.</summary>
    public long ParameterBytes => Parameters.Sum(p => p.Bytes);
}

/// <summary>One imported operator set.</summary>
/// <param name="Domain">The domain; the default ONNX domain is written <c>ai.onnx</c>.</param>
/// <param name="Version">The opset version.</param>
public sealed record OpsetImport(string Domain, long Version);

/// <summary>A graph input or output.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="ElementType">Element type in ONNX's lower-case spelling (<c>float</c>, <c>int64</c>...), or a
/// description such as <c>sequence(float)</c> for non-tensor values; <c>unknown</c> when not declared.</param>
/// <param name="Shape">The dimensions, or null when the rank is not declared.</param>
public sealed record TensorSignature(string Name, string ElementType, IReadOnlyList<Dimension>? Shape);

/// <summary>One dimension of a declared shape: a fixed size, a symbolic name, or unknown.</summary>
/// <param name="Value">The size when fixed.</param>
/// <param name="Symbol">The symbolic name (for example <c>batch</c>) when the size varies.</param>
public sealed record Dimension(long? Value, string? Symbol)
{
    /// <summary>The size, the symbol, or <c>?</c> when neither is declared.</summary>
    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}

/// <summary>How often one operator occurs.</summary>
/// <param name="Domain">The operator's domain (<c>ai.onnx</c> for the default one).</param>
/// <param name="OpType">The operator.</param>
/// <param name="Count">Occurrences in all graphs.</param>
/// <param name="InSubgraphs">Of <paramref name="Count"/>, occurrences inside subgraphs.</param>
public sealed record OperatorCount(string Domain, string OpType, int Count, int InSubgraphs);

/// <summary>The stored tensors of one element type.</summary>
/// <param name="ElementType">Element type in ONNX's lower-case spelling.</param>
/// <param name="Tensors">How many tensors.</param>
/// <param name="Elements">Their elements in total.</param>
/// <param name="Bytes">Their size at the element type's width (packed for 4-bit types; UTF-8 length for strings).</param>
public sealed record ParameterGroup(string ElementType, int Tensors, long Elements, long Bytes);
