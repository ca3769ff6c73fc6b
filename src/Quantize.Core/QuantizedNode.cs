namespace Quantize.Core;

/// <summary>One node of the float model that a pass quantized, named so that it can be excluded or overridden later.</summary>
/// <param name="Name">The node's name in the float model (the graph the pass rewrote); an Exclude entry with this name keeps it float.</param>
/// <param name="OpType">Its op type in the float model.</param>
/// <param name="Output">
/// The tensor that carries the node's result in both models (same name in the float and the quantized
/// model), for comparing activations; empty when the pass keeps no such tensor.
/// </param>
public sealed record QuantizedNode(string Name, string OpType, string Output);
