using System.Globalization;
using System.Text;

namespace Quantize.Core.Evaluation;

/// <summary>
/// The default guard against a quantized model that no longer computes what the float one did. Whenever the quality
/// check compared the two (validation data, or samples held out of the calibration data) and no accuracy gate was
/// set, every output's mean cosine to float must reach <see cref="MinCosine"/>; below it the result is refused with
/// QNT0027 instead of shipping with exit code 0. Explicit gates take precedence; <c>CollapseGuard=false</c> /
/// <c>--no-collapse-guard</c> turns it off.
/// </summary>
public static class CollapseGuard
{
    /// <summary>How a guard failure is named in reports and messages.</summary>
    public const string Metric = "CollapseGuard";

    /// <summary>
    /// 0.90: far below what any working result measures (the healthy INT8 and INT4 results of the suite are at 0.97 and
    /// above on every output), and far above a collapse (the static INT8 MLSD failures were at 0.03–0.42).
    /// </summary>
    public const double MinCosine = 0.90;

    /// <summary>The outputs below the floor, as failures; none when the guard is off, an accuracy gate is set, or nothing was compared.</summary>
    public static IReadOnlyList<GateFailure> Check(QualityCheckOptions quality, EvaluationResult? evaluation)
    {
        return Applies(quality, evaluation)
            ? [.. evaluation!.Outputs.Where(o => !GateChecker.AtLeast(o.Cosine, MinCosine)).Select(o => new GateFailure(Metric, MinCosine, o.Cosine, o.Output))]
            : [];
    }

    /// <summary>Whether the guard judges this result: it is on, no accuracy gate is set, and the models were compared.</summary>
    public static bool Applies(QualityCheckOptions quality, EvaluationResult? evaluation)
    {
        ArgumentNullException.ThrowIfNull(quality);
        return quality.CollapseGuard && !quality.NeedsAccuracy && evaluation is { Outputs.Count: > 0 };
    }

    /// <summary>The summary's line for a result the guard judged and passed.</summary>
    public static string Passed(EvaluationResult evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        return string.Create(CultureInfo.InvariantCulture, $"Collapse guard: every output's cosine to float is at least {MinCosine:0.00} (worst {evaluation.WorstCosine:0.####}).");
    }

    /// <summary>The QNT0027 text: the outputs and values, the data, the worst layers with a ready Exclude, and the switch.</summary>
    public static string Message(QualityReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"'{report.ModelPath}' ({report.Precision}) no longer computes what the float model does: ");
        text.AppendJoin("; ", report.Failures.Where(f => f.Metric == Metric).Select(f => string.Create(CultureInfo.InvariantCulture, $"output '{f.Output}' has cosine {f.Measured:0.####}")));
        text.Append(CultureInfo.InvariantCulture, $" (the collapse guard refuses anything below {MinCosine:0.00})");
        if (report.Evaluation is { } evaluation)
        {
            text.Append(CultureInfo.InvariantCulture, $", measured on {evaluation.DataSource}");
        }

        text.Append('.');
        text.Append(GateFailureMessage.WorstLayersAdvice(report));
        text.Append(" Set an explicit gate (MinCosine) to choose another threshold, or CollapseGuard=\"false\" (--no-collapse-guard) to accept the result.");
        return text.ToString();
    }
}
