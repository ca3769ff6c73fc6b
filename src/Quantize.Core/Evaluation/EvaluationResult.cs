namespace Quantize.Core.Evaluation;

/// <summary>The quantized model compared with its float original on the same samples, in a fixed order.</summary>
/// <param name="Outputs">Metrics per graph output, in graph order.</param>
/// <param name="SampleCount">Samples both models ran on.</param>
/// <param name="DataSource">Where the samples came from, for the output ("validation data (50 samples)" or "held-out calibration samples (10 of 60)").</param>
public sealed record EvaluationResult(IReadOnlyList<OutputMetrics> Outputs, int SampleCount, string DataSource)
{
    /// <summary>The lowest cosine of any output (what MinCosine gates).</summary>
    public double WorstCosine => Outputs.Count == 0 ? 1 : Outputs.Min(o => o.Cosine);

    /// <summary>The lowest SQNR of any output (what MinSqnr gates).</summary>
    public double WorstSqnrDb => Outputs.Count == 0 ? double.PositiveInfinity : Outputs.Min(o => o.SqnrDb);
}
