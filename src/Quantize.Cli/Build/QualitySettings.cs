using System.Globalization;
using System.Text;
using Quantize.Core.Calibration;
using Quantize.Core.Diagnostics;
using Quantize.Core.Evaluation;

namespace Quantize.Cli.Build;

/// <summary>
/// The quality-check metadata of a <c>QuantizedModel</c> item (ValidationData, Metric, the gates, SpeedCheck,
/// QualityCheck) as <see cref="QualityCheckOptions"/>, and their canonical text for the cache key: a gate or a
/// validation file that changes reruns the check, because with AutoMixedPrecision it can change the model.
/// </summary>
internal static class QualitySettings
{
    /// <summary>Parses the metadata; bad values are QNT0009 on <paramref name="source"/>.</summary>
    /// <param name="settings">The item's engine metadata.</param>
    /// <param name="source">The model file (diagnostics are reported on it).</param>
    /// <param name="projectDirectory">What ValidationData and Vocab are relative to.</param>
    /// <param name="outputNames">The float model's graph outputs (Metric=Top1 declares them all as class scores).</param>
    public static QualityCheckOptions Parse(IReadOnlyDictionary<string, string> settings, string source, string projectDirectory, Func<IReadOnlyList<string>> outputNames)
    {
        var validation = CalibrationSettings.PathList(settings, "ValidationData");
        bool check = ModelSettings.Bool(settings, "QualityCheck", true, source);
        return new QualityCheckOptions
        {
            ValidationData = validation.Count == 0 ? null : CalibrationSettings.DataOptions(settings, validation, "ValidationSamples", source, projectDirectory),
            Top1Outputs = Top1Outputs(settings, source, outputNames),
            Gates = new QualityGates
            {
                MinCosine = Number(settings, "MinCosine", source, min: -1, max: 1),
                MinSqnr = Number(settings, "MinSqnr", source, min: double.MinValue, max: double.MaxValue),
                MaxTop1Drop = Number(settings, "MaxTop1Drop", source, min: 0, max: 1),
                MinSpeedup = Number(settings, "MinSpeedup", source, min: 0, max: double.MaxValue),
            },
            Evaluate = check,
            SpeedCheck = check && ModelSettings.Bool(settings, "SpeedCheck", true, source),
            AutoMixedPrecision = ModelSettings.Bool(settings, "AutoMixedPrecision", false, source),
            CollapseGuard = ModelSettings.Bool(settings, "CollapseGuard", true, source),
            MaxFallbacks = (int)ModelSettings.Long(settings, "MaxFallbacks", QualityCheckOptions.DefaultMaxFallbacks, source),
        };
    }

    /// <summary>
    /// Everything in <paramref name="quality"/> that can change the quantized model or its report, in a fixed
    /// spelling; validation files are represented by their content hash, not their paths.
    /// </summary>
    public static string Canonical(QualityCheckOptions quality, string modelPath)
    {
        var text = new StringBuilder();
        var gates = quality.Gates;
        text.Append(CultureInfo.InvariantCulture, $"gates={gates.MinCosine:R},{gates.MinSqnr:R},{gates.MaxTop1Drop:R},{gates.MinSpeedup:R}\n");
        text.Append(CultureInfo.InvariantCulture, $"evaluate={quality.Evaluates},speed={quality.SpeedCheck}\n");
        text.Append(CultureInfo.InvariantCulture, $"top1={string.Join(",", quality.Top1Outputs)}\n");
        text.Append(CultureInfo.InvariantCulture, $"auto={quality.AutoMixedPrecision},{quality.MaxFallbacks}\n");
        // The layer chart changes the report stored with the entry: a run that wants it must not reuse one without.
        text.Append(CultureInfo.InvariantCulture, $"guard={quality.CollapseGuard},chart={quality.LayerChart}\n");
        if (quality.ValidationData is { } validation)
        {
            text.Append(CultureInfo.InvariantCulture, $"validation={CalibrationFingerprint.Compute(modelPath, validation, new CalibrationOptions())}\n");
        }

        return text.ToString();
    }

    private static List<string> Top1Outputs(IReadOnlyDictionary<string, string> settings, string source, Func<IReadOnlyList<string>> outputNames)
    {
        var metric = ModelSettings.Get(settings, "Metric");
        if (string.IsNullOrEmpty(metric) || metric.Equals("Cosine", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        // Metric="Top1" declares every output as class scores; Metric="Top1:logits;probs" names them.
        const string Top1 = "Top1";
        if (!metric.StartsWith(Top1, StringComparison.OrdinalIgnoreCase) || (metric.Length > Top1.Length && metric[Top1.Length] != ':'))
        {
            throw Invalid(source, $"Metric='{metric}' is not Cosine, Top1 or Top1:OUTPUT[;OUTPUT...].");
        }

        var named = metric.Length > Top1.Length
            ? metric[(Top1.Length + 1)..].Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : [];
        return named.Count > 0 ? named : [.. outputNames()];
    }

    private static double? Number(IReadOnlyDictionary<string, string> settings, string name, string source, double min, double max)
    {
        if (ModelSettings.Get(settings, name) is not { Length: > 0 } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= min && value <= max
            ? value
            : throw Invalid(source, string.Create(CultureInfo.InvariantCulture, $"{name}='{text}' is not a number{(min > double.MinValue ? $" between {min} and {max}" : "")}."));
    }

    private static QuantizeException Invalid(string source, string message) => new(ErrorCodes.InvalidOption, source, message);
}
