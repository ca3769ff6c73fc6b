using System.CommandLine;
using Quantize.Core.Evaluation;

namespace Quantize.Cli.Commands;

/// <summary>
/// The quality-check options of <c>quantize</c>: validation data, class-score outputs, gates, the speed check
/// and the report. The speed check runs by default; outputs are compared with the float model when any of
/// validation data, a gate, --top1 or --report asks for it (on held-out calibration samples when there is no
/// validation data).
/// </summary>
internal sealed class QualityCommandOptions
{
    private readonly Option<string[]> _validationData = new("--validation-data")
    {
        Description = "Compare the quantized model with the float one on these files, folders or globs (the calibration formats and "
            + "preprocessing options). Without it, a held-out fifth of the calibration data is used. Repeatable.",
        HelpName = "path",
    };

    private readonly Option<string[]> _top1 = new("--top1")
    {
        Description = "An output that holds class scores: top-1 agreement (arg-max over the last axis) is measured on it. Repeatable.",
        HelpName = "output",
    };

    private readonly Option<double?> _minCosine = new("--min-cosine")
    {
        Description = "Fail (QNT0018, nothing written) unless every output's mean cosine similarity to float is at least this, e.g. 0.995.",
        HelpName = "value",
    };

    private readonly Option<double?> _minSqnr = new("--min-sqnr")
    {
        Description = "Fail unless every output's signal-to-quantization-noise ratio is at least this many dB, e.g. 25.",
        HelpName = "dB",
    };

    private readonly Option<double?> _maxTop1Drop = new("--max-top1-drop")
    {
        Description = "Fail if the top-1 agreement of a --top1 output drops by more than this fraction, e.g. 0.01.",
        HelpName = "fraction",
    };

    private readonly Option<double?> _minSpeedup = new("--min-speedup")
    {
        Description = "Fail unless float latency / quantized latency on this machine's CPU is at least this, e.g. 1.2.",
        HelpName = "ratio",
    };

    private readonly Option<bool> _noCollapseGuard = new("--no-collapse-guard")
    {
        Description = "Accept a result whose output cosine to float is below 0.90 although no gate is set (by default, with "
            + "calibration or validation data, such a collapse is QNT0027 and nothing is written).",
    };

    private readonly Option<bool> _noSpeedCheck = new("--no-speed-check")
    {
        Description = "Do not time the float and quantized models (by default a quantized model slower than float gets warning QNT1005).",
    };

    private readonly Option<bool> _autoMixedPrecision = new("--auto-mixed-precision")
    {
        Description = "When an accuracy gate fails, keep the most sensitive nodes in float one at a time until every gate passes; "
            + "prints the chosen nodes as a ready-to-paste --exclude value (QNT0019 with the best mix when none passes).",
    };

    private readonly Option<int?> _maxFallbacks = new("--max-fallbacks")
    {
        Description = "--auto-mixed-precision: the most nodes it may keep in float (default 10).",
        HelpName = "n",
    };

    private readonly Option<string?> _report = new("--report")
    {
        Description = "Write an HTML page and a Markdown summary of the quality check into this folder.",
        HelpName = "dir",
    };

    /// <summary>Every option, for adding to the command.</summary>
    public IEnumerable<Option> All => [_validationData, _top1, _minCosine, _minSqnr, _maxTop1Drop, _minSpeedup, _noSpeedCheck, _noCollapseGuard, _autoMixedPrecision, _maxFallbacks, _report];

    /// <summary>True when validation data was given (the preprocessing options then apply to it).</summary>
    public bool HasValidationData(ParseResult parseResult) => parseResult.GetValue(_validationData) is { Length: > 0 };

    /// <summary>The --report folder, or null.</summary>
    public string? ReportDirectory(ParseResult parseResult) => parseResult.GetValue(_report);

    /// <summary>The quality check to run, or null when nothing is measured (--no-speed-check and no comparison asked for).</summary>
    /// <remarks>With <paramref name="calibrated"/> (static INT8 with calibration data) the models are compared on held-out samples by default, so the collapse guard has something to judge.</remarks>
    public QualityCheckOptions? ToOptions(ParseResult parseResult, string input, CalibrationCommandOptions preprocessing, bool calibrated)
    {
        var gates = new QualityGates
        {
            MinCosine = parseResult.GetValue(_minCosine),
            MinSqnr = parseResult.GetValue(_minSqnr),
            MaxTop1Drop = parseResult.GetValue(_maxTop1Drop),
            MinSpeedup = parseResult.GetValue(_minSpeedup),
        };
        var validation = parseResult.GetValue(_validationData) ?? [];
        // Output names are taken whole (no comma splitting): ONNX names may contain anything.
        string[] top1 = [.. (parseResult.GetValue(_top1) ?? []).Distinct(StringComparer.Ordinal)];
        bool guard = !parseResult.GetValue(_noCollapseGuard);
        bool evaluate = validation.Length > 0 || top1.Length > 0 || !gates.IsEmpty || ReportDirectory(parseResult) is not null || (calibrated && guard);
        bool speed = !parseResult.GetValue(_noSpeedCheck);
        if (!evaluate && !speed)
        {
            return null;
        }

        return new QualityCheckOptions
        {
            ValidationData = validation.Length > 0 ? preprocessing.DataOptions(parseResult, input, validation) : null,
            Top1Outputs = top1,
            Gates = gates,
            Evaluate = evaluate,
            SpeedCheck = speed,
            AutoMixedPrecision = parseResult.GetValue(_autoMixedPrecision),
            CollapseGuard = guard,
            LayerChart = ReportDirectory(parseResult) is not null,
            MaxFallbacks = parseResult.GetValue(_maxFallbacks) ?? QualityCheckOptions.DefaultMaxFallbacks,
        };
    }
}
