using Quantize.Core.Calibration;
using Quantize.Core.Diagnostics;
using Quantize.Core.Evaluation;

namespace Quantize.Core.MixedPrecision;

/// <summary>
/// Ranks the quantized nodes of a model by how much their quantization hurts. Two measurements: the local
/// error each node adds (its result vs its input, quantized vs float model, <see cref="LocalErrorProbe"/>), and
/// the end-to-end gain of keeping just that node in float (worst output cosine with it in float − without),
/// measured for every node at once by <see cref="GainScreen"/>; nodes the screen cannot switch are re-quantized
/// without them, the <see cref="DefaultEndToEndChecks"/> with the largest local error. Nodes with a measured
/// gain come first, by gain; the rest follow by local error; ties go by name, so the ranking is the same on
/// every run.
/// </summary>
public static class SensitivityAnalyzer
{
    /// <summary>Nodes the gain screen cannot switch whose gain is measured by re-quantizing (each costs one quantization and one evaluation).</summary>
    public const int DefaultEndToEndChecks = 8;

    /// <summary>
    /// Quantizes <paramref name="inputPath"/> (calibrating for static INT8), measures it against the float model on
    /// the quality options' data, and ranks its quantized nodes, most harmful first. Nothing is written outside
    /// a private folder beside the model, removed afterwards.
    /// </summary>
    /// <param name="inputPath">The float model.</param>
    /// <param name="options">Quantizer settings.</param>
    /// <param name="quality">Where the evaluation samples come from (validation data, or held-out calibration samples).</param>
    /// <param name="calibration">Static INT8's calibration; null for every other precision.</param>
    /// <param name="endToEndChecks">How many of the nodes the gain screen cannot switch get their gain measured by re-quantizing (0: none).</param>
    /// <param name="progress">Receives short phase descriptions.</param>
    /// <exception cref="QuantizeException">QNT0020 without evaluation data, and every error of quantization.</exception>
    public static IReadOnlyList<LayerSensitivity> Analyze(string inputPath, QuantizeOptions options, QualityCheckOptions quality,
        CalibrationSetup? calibration = null, int endToEndChecks = DefaultEndToEndChecks, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(quality);
        var check = QualityCheck.Prepare(inputPath, options, quality with { Evaluate = true }, calibration);
        RequireSamples(check, "Sensitivity analysis");
        using var attempts = MixAttempts.BesideInput(check, inputPath);
        var baselinePath = Path.Combine(attempts.Folder, MixAttempts.ScratchName("full.onnx"));
        var baseline = new MixAttempt([], check.Attempt(baselinePath, [], measureSpeed: false, progress));
        return Rank(check, attempts, baseline, baselinePath, endToEndChecks, progress);
    }

    /// <summary>
    /// The ranking of a quantization already written to <paramref name="quantizedPath"/> and measured: with
    /// <paramref name="withGains"/>, as <see cref="Analyze"/> ranks; without, by local error alone on the first
    /// <see cref="GainScreen.MaxSamples"/> samples (one probe run, cheap enough for every report's chart).
    /// </summary>
    internal static IReadOnlyList<LayerSensitivity> RankQuantized(QualityCheck check, string quantizedPath, QuantizeResult result, bool withGains, IProgress<string>? progress)
    {
        using var attempts = new MixAttempts(check, quantizedPath);
        if (withGains)
        {
            return Rank(check, attempts, new MixAttempt([], result), quantizedPath, DefaultEndToEndChecks, progress);
        }

        var nodes = result.QuantizedNodes.DistinctBy(n => n.Name).ToList();
        progress?.Report($"measuring the local error of {nodes.Count} quantized node(s)");
        var local = LocalErrorProbe.Measure(check, quantizedPath, nodes, attempts.Folder, GainScreen.MaxSamples);
        return
        [
            .. nodes
                .Select(n => new LayerSensitivity(n.Name, n.OpType, local.TryGetValue(n.Name, out var e) ? e.Added : 0, null))
                .OrderByDescending(l => l.LocalError)
                .ThenBy(l => l.Node, StringComparer.Ordinal),
        ];
    }

    /// <summary>The ranking for a full quantization already written to <paramref name="baselinePath"/> and measured.</summary>
    internal static IReadOnlyList<LayerSensitivity> Rank(QualityCheck check, MixAttempts attempts, MixAttempt baseline, string baselinePath, int endToEndChecks, IProgress<string>? progress)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(endToEndChecks);
        attempts.Add(baseline);
        var nodes = baseline.Result.QuantizedNodes.DistinctBy(n => n.Name).ToList();
        progress?.Report($"measuring the local error of {nodes.Count} quantized node(s)");
        var local = LocalErrorProbe.Measure(check, baselinePath, nodes, attempts.Folder);
        double LocalError(QuantizedNode node) => local.TryGetValue(node.Name, out var e) ? e.Added : 0;

        var byLocalError = nodes.OrderByDescending(LocalError).ThenBy(n => n.Name, StringComparer.Ordinal).ToList();
        progress?.Report("measuring the end-to-end gain of keeping each node in float");
        var gains = new Dictionary<string, double>(GainScreen.Measure(check, baselinePath, nodes, attempts.Folder), StringComparer.Ordinal);
        // Nodes the screen could not switch: re-quantize without them, for the most suspicious few.
        double without = baseline.Evaluation.WorstCosine;
        foreach (var node in byLocalError.Where(n => local.ContainsKey(n.Name) && !gains.ContainsKey(n.Name)).Take(endToEndChecks))
        {
            progress?.Report($"measuring the end-to-end gain of keeping '{node.Name}' in float");
            if (TryMeasure(attempts, [node.Name], progress) is { } attempt)
            {
                gains[node.Name] = attempt.Evaluation.WorstCosine - without;
            }
        }

        return
        [
            .. byLocalError
                .OrderBy(n => gains.ContainsKey(n.Name) ? 0 : 1)
                .ThenByDescending(n => gains.GetValueOrDefault(n.Name))
                .ThenByDescending(LocalError)
                .ThenBy(n => n.Name, StringComparer.Ordinal)
                .Select(n => new LayerSensitivity(n.Name, n.OpType, LocalError(n), gains.TryGetValue(n.Name, out var g) ? g : null)),
        ];
    }

    /// <summary>
    /// Measures a mix, or null when its exclusions do not name nodes of the float model: static INT8 quantizes
    /// ONNX Runtime's pre-processed graph, where a node it created has no counterpart the engine could exclude.
    /// </summary>
    internal static MixAttempt? TryMeasure(MixAttempts attempts, IReadOnlyList<string> keptInFloat, IProgress<string>? progress)
    {
        try
        {
            return attempts.Measure(keptInFloat, progress);
        }
        catch (QuantizeException ex) when (ex.Code == ErrorCodes.UnmatchedExclusion)
        {
            return null;
        }
    }

    /// <summary>Fails with QNT0020 when the check has no samples to compare on.</summary>
    internal static void RequireSamples(QualityCheck check, string what)
    {
        if (check.EvaluationSamples is null)
        {
            throw new QuantizeException(ErrorCodes.EvaluationDataMissing, check.InputPath,
                $"{what} of '{check.InputPath}' compares the quantized model with the float one and needs data: give validation data (ValidationData, --validation-data) or calibration data.");
        }
    }
}
