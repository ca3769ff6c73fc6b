using System.Globalization;
using Quantize.Core.Evaluation;

namespace Quantize.Core.MixedPrecision;

/// <summary>
/// AutoMixedPrecision: starting from the full quantization, which fails an accuracy gate, keep the most
/// sensitive nodes in float one at a time (by <see cref="SensitivityAnalyzer"/>'s ranking) until every
/// accuracy gate passes, at most <see cref="QualityCheckOptions.MaxFallbacks"/> of them. A node whose measured
/// end-to-end gain is not positive is passed over: keeping it in float cannot help. Every step is measured on
/// the same samples in the same order, so the same model and settings always choose the same nodes.
/// </summary>
internal static class AutoMixedPrecisionSearch
{
    /// <summary>
    /// Searches a mix for the model <paramref name="check"/> quantizes. <paramref name="full"/> is the full
    /// quantization, written to <paramref name="stagedPath"/> and measured, with its gate failures recorded.
    /// Returns the result to keep: the chosen mix re-quantized into <paramref name="stagedPath"/> and measured
    /// (speed included) when one passes; otherwise the best mix found, whose report still lists failures.
    /// </summary>
    public static QuantizeResult Search(QualityCheck check, string stagedPath, QuantizeResult full, IProgress<string>? progress)
    {
        SensitivityAnalyzer.RequireSamples(check, "AutoMixedPrecision");
        var gates = check.Options.Gates;
        int cap = check.Options.MaxFallbacks;
        using var attempts = new MixAttempts(check, stagedPath);
        var baseline = new MixAttempt([], full);
        var layers = SensitivityAnalyzer.Rank(check, attempts, baseline, stagedPath, SensitivityAnalyzer.DefaultEndToEndChecks, progress);

        var best = baseline;
        var bestFailures = baseline.AccuracyFailures(gates);
        var chosen = new List<string>();
        foreach (var layer in layers)
        {
            if (bestFailures.Count == 0 || chosen.Count >= cap)
            {
                break;
            }

            if (layer.EndToEndGain is <= 0)
            {
                continue;
            }

            List<string> next = [.. chosen, layer.Node];
            if (SensitivityAnalyzer.TryMeasure(attempts, next, progress) is not { } attempt)
            {
                continue;
            }

            chosen = next;
            var failures = attempt.AccuracyFailures(gates);
            if (IsBetter(attempt, failures, best, bestFailures))
            {
                (best, bestFailures) = (attempt, failures);
            }
        }

        var before = baseline.Evaluation;
        QuantizeResult kept;
        if (bestFailures.Count == 0)
        {
            progress?.Report($"keeping {best.KeptInFloat.Count} node(s) in float");
            kept = check.Attempt(stagedPath, best.KeptInFloat, measureSpeed: true, progress);
            kept.Quality!.Failures.AddRange(GateChecker.Check(gates, kept.Quality.Evaluation, kept.Quality.Speed));
        }
        else
        {
            kept = best.Result;
            kept.Quality!.Failures.Clear();
            kept.Quality.Failures.AddRange(bestFailures);
        }

        var report = kept.Quality;
        report.Layers.Clear();
        report.Layers.AddRange(layers);
        report.Fallbacks.AddRange(best.KeptInFloat.Select(n => new KeyValuePair<string, string>(n, "FP32")));
        report.Notes.Add(Describe(best, before, report.Evaluation ?? best.Evaluation, bestFailures.Count == 0, attempts.Count));
        return kept;
    }

    /// <summary>The QNT0019 text: the model, the cap, the best mix found and its numbers.</summary>
    public static string NoMixMessage(QualityReport report, int cap)
    {
        ArgumentNullException.ThrowIfNull(report);
        var mix = report.Fallbacks.Where(f => f.Value == "FP32").Select(f => f.Key).ToList();
        var evaluation = report.Evaluation;
        var text = Invariant($"No mix of {report.Precision} and float for '{report.ModelPath}' meets the accuracy gates with at most {cap} node(s) kept in float. ");
        text += mix.Count == 0 ? "Best found: the full quantization" : "Best mix found: " + Reporting.ExcludeSuggestion.Advice(mix);
        if (evaluation is not null)
        {
            text += Invariant($" (worst cosine {evaluation.WorstCosine:G7}, worst SQNR {evaluation.WorstSqnrDb:0.##} dB on {evaluation.DataSource})");
        }

        text += ", which still fails: " + string.Join("; ", report.Failures.Select(f => GateFailureMessage.Describe(f, report)));
        return text + ". Raise MaxFallbacks, relax the gate, or choose a higher precision.";
    }

    /// <summary>Fewer failed gates, then a higher worst cosine, then a higher worst SQNR, then fewer nodes in float.</summary>
    private static bool IsBetter(MixAttempt candidate, IReadOnlyList<GateFailure> candidateFailures, MixAttempt best, IReadOnlyList<GateFailure> bestFailures)
    {
        if (candidateFailures.Count != bestFailures.Count)
        {
            return candidateFailures.Count < bestFailures.Count;
        }

        if (candidate.Evaluation.WorstCosine != best.Evaluation.WorstCosine)
        {
            return candidate.Evaluation.WorstCosine > best.Evaluation.WorstCosine;
        }

        return candidate.Evaluation.WorstSqnrDb > best.Evaluation.WorstSqnrDb
            || (candidate.Evaluation.WorstSqnrDb == best.Evaluation.WorstSqnrDb && candidate.KeptInFloat.Count < best.KeptInFloat.Count);
    }

    private static string Describe(MixAttempt best, EvaluationResult before, EvaluationResult after, bool passed, int quantizations)
    {
        var numbers = Invariant($"worst output cosine {before.WorstCosine:G6} → {after.WorstCosine:G6}, {quantizations} trial quantization(s)");
        if (best.KeptInFloat.Count == 0)
        {
            return $"AutoMixedPrecision found no node whose return to float helps ({numbers}).";
        }

        var exclude = Reporting.ExcludeSuggestion.Advice(best.KeptInFloat);
        return passed
            ? $"AutoMixedPrecision kept {best.KeptInFloat.Count} node(s) in float to meet the gates ({numbers}). To pin this mix without searching: {exclude}."
            : $"AutoMixedPrecision's best mix kept {best.KeptInFloat.Count} node(s) in float and still misses the gates ({numbers}): {exclude}.";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
