namespace Quantize.Core.Evaluation;

/// <summary>
/// Compares measurements with one-sided gates. A value equal to its threshold passes; so does one that differs
/// from it only by double rounding (1e-12 relative: a top-1 drop of 1 − 0.99 is 0.010000000000000009, and a
/// gate of 0.01 must accept it). NaN fails every gate.
/// </summary>
public static class GateChecker
{
    private const double Tolerance = 1e-12;

    /// <summary>Gate names as users write them (item metadata, messages).</summary>
    public const string MinCosine = nameof(QualityGates.MinCosine);

    /// <inheritdoc cref="MinCosine"/>
    public const string MinSqnr = nameof(QualityGates.MinSqnr);

    /// <inheritdoc cref="MinCosine"/>
    public const string MaxTop1Drop = nameof(QualityGates.MaxTop1Drop);

    /// <inheritdoc cref="MinCosine"/>
    public const string MinSpeedup = nameof(QualityGates.MinSpeedup);

    /// <summary>
    /// The gates not met, in gate order (MinCosine, MinSqnr, MaxTop1Drop, MinSpeedup), then output order. A gate
    /// whose measurement is missing (no evaluation, no speed result, no class-score output) is an error of the
    /// caller, who must refuse such gates before quantizing.
    /// </summary>
    public static IReadOnlyList<GateFailure> Check(QualityGates gates, EvaluationResult? evaluation, SpeedResult? speed)
    {
        ArgumentNullException.ThrowIfNull(gates);
        var failures = new List<GateFailure>();
        if (gates.MinCosine is double minCosine)
        {
            failures.AddRange(Outputs(evaluation, MinCosine).Where(o => !AtLeast(o.Cosine, minCosine)).Select(o => new GateFailure(MinCosine, minCosine, o.Cosine, o.Output)));
        }

        if (gates.MinSqnr is double minSqnr)
        {
            failures.AddRange(Outputs(evaluation, MinSqnr).Where(o => !AtLeast(o.SqnrDb, minSqnr)).Select(o => new GateFailure(MinSqnr, minSqnr, o.SqnrDb, o.Output)));
        }

        if (gates.MaxTop1Drop is double maxDrop)
        {
            var classScores = Outputs(evaluation, MaxTop1Drop).Where(o => o.Top1Agreement is not null).ToList();
            if (classScores.Count == 0)
            {
                throw new InvalidOperationException("MaxTop1Drop needs at least one output declared as class scores.");
            }

            failures.AddRange(classScores.Select(o => (o.Output, Drop: 1 - o.Top1Agreement!.Value))
                .Where(o => !AtLeast(maxDrop, o.Drop)).Select(o => new GateFailure(MaxTop1Drop, maxDrop, o.Drop, o.Output)));
        }

        if (gates.MinSpeedup is double minSpeedup)
        {
            var measured = speed ?? throw new InvalidOperationException("MinSpeedup needs a speed measurement.");
            if (!AtLeast(measured.Speedup, minSpeedup))
            {
                failures.Add(new GateFailure(MinSpeedup, minSpeedup, measured.Speedup, null));
            }
        }

        return failures;
    }

    /// <summary>True when <paramref name="value"/> ≥ <paramref name="threshold"/> up to rounding; false for NaN.</summary>
    public static bool AtLeast(double value, double threshold) =>
        value >= threshold || (double.IsFinite(threshold) && value >= threshold - (Tolerance * Math.Max(1, Math.Abs(threshold))));

    private static IReadOnlyList<OutputMetrics> Outputs(EvaluationResult? evaluation, string gate) =>
        evaluation?.Outputs ?? throw new InvalidOperationException($"{gate} needs an evaluation.");
}
