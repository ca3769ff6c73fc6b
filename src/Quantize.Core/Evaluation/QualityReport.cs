namespace Quantize.Core.Evaluation;

/// <summary>
/// Everything the accuracy and speed checks found for one model: what the HTML/Markdown report and the
/// build's summary line are rendered from. Filled by the quality check after quantization.
/// </summary>
public sealed class QualityReport
{
    /// <summary>The float model.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The main precision ("Int8", "Int8 static", "Int4"...).</summary>
    public required string Precision { get; init; }

    /// <summary>Size of the float model in bytes.</summary>
    public long BytesBefore { get; set; }

    /// <summary>Size of the quantized model in bytes.</summary>
    public long BytesAfter { get; set; }

    /// <summary>Accuracy vs float; null when no data was available (then <see cref="Notes"/> says so).</summary>
    public EvaluationResult? Evaluation { get; set; }

    /// <summary>Latency vs float (for a decoder, one decode step); null when the speed check was skipped.</summary>
    public SpeedResult? Speed { get; set; }

    /// <summary>For a decoder with a KV cache: prefill latency and decode tokens per second; null otherwise.</summary>
    public DecoderSpeed? Decoder { get; set; }

    /// <summary>The gates that were checked.</summary>
    public QualityGates Gates { get; set; } = new();

    /// <summary>Gates not met by the final model (empty when all passed).</summary>
    public List<GateFailure> Failures { get; } = [];

    /// <summary>Quantized nodes ranked most harmful first (empty when sensitivity was not analysed).</summary>
    public List<LayerSensitivity> Layers { get; } = [];

    /// <summary>Node name → the precision it was kept in ("FP32", "FP16") by overrides or AutoMixedPrecision, in decision order.</summary>
    public List<KeyValuePair<string, string>> Fallbacks { get; } = [];

    /// <summary>Plain sentences about what was done and why (data source, skipped checks, the chosen mix).</summary>
    public List<string> Notes { get; } = [];
}
