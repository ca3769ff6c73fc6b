using Quantize.Core.Diagnostics;

namespace Quantize.Core;

/// <summary>What a quantization did, for the CLI summary, the build log and reports.</summary>
public sealed class QuantizeResult
{
    /// <summary>Nodes rewritten per original op type (e.g. MatMul → 72).</summary>
    public SortedDictionary<string, int> QuantizedByOpType { get; } = new(StringComparer.Ordinal);

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

    /// <summary>Records that one node of <paramref name="opType"/> was quantized.</summary>
    public void CountQuantized(string opType)
    {
        QuantizedByOpType.TryGetValue(opType, out var n);
        QuantizedByOpType[opType] = n + 1;
    }
}
