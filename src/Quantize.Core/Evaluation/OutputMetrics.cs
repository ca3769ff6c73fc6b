namespace Quantize.Core.Evaluation;

/// <summary>How close one output of the quantized model is to the float model's, over all evaluation samples.</summary>
/// <param name="Output">The graph output's name.</param>
/// <param name="Cosine">Mean over samples of the cosine similarity of the flattened output (1 = same direction).</param>
/// <param name="SqnrDb">Signal-to-quantization-noise ratio in dB: 10·log10(Σ float² / Σ (float − quantized)²) over all samples.</param>
/// <param name="MaxAbsError">Largest absolute element difference seen.</param>
/// <param name="RelativeL2">‖float − quantized‖₂ / ‖float‖₂ over all samples.</param>
/// <param name="Top1Agreement">For outputs declared as class scores: fraction of rows (arg-max over the last axis, every sample) whose arg-max agrees; otherwise null.</param>
public sealed record OutputMetrics(string Output, double Cosine, double SqnrDb, double MaxAbsError, double RelativeL2, double? Top1Agreement);
