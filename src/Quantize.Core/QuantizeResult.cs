using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;

namespace Quantize.Core;

/// <summary>What a quantization did, for the CLI summary, the build log and reports.</summary>
public sealed class QuantizeResult
{
    /// <summary>Nodes rewritten per original op type (e.g. MatMul → 72); converted weights are counted under <see cref="Initializers"/>.</summary>
    public SortedDictionary<string, int> QuantizedByOpType { get; } = new(StringComparer.Ordinal);

    /// <summary>The <see cref="QuantizedByOpType"/> key under which FP16 and BF16 count converted initializers (not nodes).</summary>
    public const string Initializers = "initializer";

    /// <summary>
    /// Every node rewritten into a lower precision, in the order the pass visited them (weights counted
    /// under "initializer" and BF16's weight-only conversion are not nodes and are not listed).
    /// </summary>
    public List<QuantizedNode> QuantizedNodes { get; } = [];

    /// <summary>Nodes kept out of the main precision by <see cref="QuantizeOptions.Overrides"/>: node name → "FP32" or "FP16", in graph order.</summary>
    public List<KeyValuePair<string, string>> Overridden { get; } = [];

    /// <summary>Nodes that were eligible but left alone, per op type, with the reason.</summary>
    public SortedDictionary<string, string> Skipped { get; } = new(StringComparer.Ordinal);

    /// <summary>Warnings with stable codes (already converted, slower on CPU...).</summary>
    public List<Diagnostic> Warnings { get; } = [];

    /// <summary>Short human-readable notes (what the pass chose and why).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Size of the input model file(s) in bytes.</summary>
    public long BytesBefore { get; set; }

    /// <summary>Size of the written model file(s) in bytes.</summary>
    public long BytesAfter { get; set; }

    /// <summary>Wall time of the whole operation.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Static INT8: how the activation ranges were obtained; null for every other kind of run.</summary>
    public Calibration.CalibrationReport? Calibration { get; set; }

    /// <summary>Accuracy, speed, sensitivity and fallbacks found by the quality check; null when it did not run.</summary>
    public Evaluation.QualityReport? Quality { get; set; }

    /// <summary>True when the model was written unchanged (nothing to do).</summary>
    public bool Unchanged { get; set; }

    /// <summary>
    /// Records that <paramref name="node"/> was quantized: counted under its op type and listed by name.
    /// <paramref name="output"/> is the tensor carrying its result in both models (default: its first output).
    /// </summary>
    public void RecordQuantized(NodeProto node, string? output = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        QuantizedNodes.Add(new QuantizedNode(node.Name, node.OpType, output ?? (node.Output.Count > 0 ? node.Output[0] : string.Empty)));
        CountQuantized(node.OpType);
    }

    /// <summary>Records that one node of <paramref name="opType"/> was quantized.</summary>
    public void CountQuantized(string opType)
    {
        QuantizedByOpType.TryGetValue(opType, out var n);
        QuantizedByOpType[opType] = n + 1;
    }
}
