namespace Quantize.Core.Evaluation;

/// <summary>Median latency of the float and the quantized model, measured interleaved in one process on this machine's CPU provider.</summary>
/// <param name="FloatMedianMs">Median milliseconds per run of the float model.</param>
/// <param name="QuantizedMedianMs">Median milliseconds per run of the quantized model.</param>
/// <param name="Runs">Timed runs of each model (after warm-up).</param>
public sealed record SpeedResult(double FloatMedianMs, double QuantizedMedianMs, int Runs)
{
    /// <summary>Float latency over quantized latency: above 1 means the quantized model is faster.</summary>
    public double Speedup => QuantizedMedianMs <= 0 ? double.PositiveInfinity : FloatMedianMs / QuantizedMedianMs;
}
