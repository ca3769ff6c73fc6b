namespace Quantize.Core.Evaluation;

/// <summary>One gate the quantized model did not meet.</summary>
/// <param name="Metric">The gate's name as the user wrote it (MinCosine, MinSqnr, MaxTop1Drop, MinSpeedup).</param>
/// <param name="Threshold">The threshold set.</param>
/// <param name="Measured">The value measured.</param>
/// <param name="Output">The graph output it was measured on, or null for MinSpeedup.</param>
public sealed record GateFailure(string Metric, double Threshold, double Measured, string? Output);
