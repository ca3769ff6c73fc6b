using System.CommandLine;
using Quantize.Cli.Settings;
using Quantize.Core;
using Quantize.Core.Evaluation;
using Quantize.Core.Inspection;
using Quantize.Core.Settings;

namespace Quantize.Cli.Commands;

/// <summary>
/// <c>dotnet quantize [quantize] IN -o OUT --precision P [options]</c>: every setting of the table
/// (<see cref="QuantizeSettings"/>) is an option here, plus what only a command line has (where to write, reports,
/// the remote cache). The command name may be left out (see <see cref="CliApplication"/>); generated response files
/// name it, so a model file named like a command can never be misread.
/// </summary>
internal sealed class QuantizeCommand
{
    private readonly CliConsole _console;

    private readonly Argument<string> _input = new("input") { Description = "The float ONNX model to quantize." };

    private readonly Option<string> _output = new("--output", "-o")
    {
        Description = "Where to write the quantized model (replaced atomically; nothing is written on failure).",
        Required = true,
    };

    private readonly SettingOptions _settings = new();

    private readonly Option<string> _rangesCache = new("--ranges-cache")
    {
        Description = "Static INT8: keep the calibrated ranges in this JSON file; a later run with the same model, data and method reuses them.",
        HelpName = "path",
    };

    private readonly Option<string?> _report = new("--report")
    {
        Description = "Write an HTML page and a Markdown summary of the quality check into this folder.",
        HelpName = "dir",
    };

    private readonly Option<bool> _noVerify = new("--no-verify")
    {
        Description = "Skip loading the result in ONNX Runtime before reporting success.",
    };

    private readonly Option<bool> _quiet = new("--quiet", "-q")
    {
        Description = "Print only warnings and errors.",
    };

    private readonly RemoteCacheCommandOptions _remote = new();

    private QuantizeCommand(CliConsole console) => _console = console;

    /// <summary>Creates the <c>quantize</c> command.</summary>
    public static Command Create(CliConsole console)
    {
        var command = new Command("quantize", "Quantize one ONNX model (the default command: its name may be left out).");
        new QuantizeCommand(console).Attach(command);
        return command;
    }

    private void Attach(Command command)
    {
        command.Arguments.Add(_input);
        foreach (var option in new Option[] { _output }.Concat(_settings.All).Concat([_rangesCache, _report, _noVerify, _quiet]).Concat(_remote.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(parseResult =>
        {
            var input = parseResult.GetValue(_input)!;
            return CommandGuard.Run(_console, input, () => QuantizeRunner.Run(ToRequest(parseResult, input), _console));
        });
    }

    private QuantizeRequest ToRequest(ParseResult parseResult, string input)
    {
        var values = _settings.Read(parseResult, input);
        var options = SettingsReader.Options(values);
        var calibration = SettingsReader.Calibration(values, options, baseDirectory: null, (_, _) => parseResult.GetValue(_rangesCache));
        var report = parseResult.GetValue(_report);
        return new QuantizeRequest(
            input,
            parseResult.GetValue(_output)!,
            options,
            values.Canonical(options.Precision, calibration is not null),
            Verify: !parseResult.GetValue(_noVerify),
            Quiet: parseResult.GetValue(_quiet),
            Notes: IgnoredSettings(parseResult, values, options.Precision, calibration is not null),
            Calibration: calibration,
            Quality: Quality(values, input, report, calibrated: calibration is not null),
            ReportDirectory: report,
            RemoteCache: _remote.ToSettings(parseResult, input));
    }

    /// <summary>
    /// The quality check to run, or null when nothing is measured. The command line compares outputs only when asked
    /// (validation data, a metric, a gate, <c>--report</c>), and for static INT8 by default on held-out samples, so the
    /// collapse guard has something to judge; the speed check runs unless turned off.
    /// </summary>
    private static QualityCheckOptions? Quality(SettingValues values, string input, string? report, bool calibrated)
    {
        var quality = SettingsReader.Quality(values, baseDirectory: null, () => [.. ModelInspector.Inspect(input).Outputs.Select(o => o.Name)]);
        bool asked = quality.ValidationData is not null || quality.Top1Outputs.Count > 0 || !quality.Gates.IsEmpty || report is not null || (calibrated && quality.CollapseGuard);
        bool evaluate = quality.Evaluate && asked;
        return !evaluate && !quality.SpeedCheck ? null : quality with { Evaluate = evaluate, LayerChart = report is not null };
    }

    /// <summary>Settings given explicitly that this run does not use: said out loud rather than silently dropped.</summary>
    private List<string> IgnoredSettings(ParseResult parseResult, SettingValues values, Precision precision, bool calibrated)
    {
        var notes = new List<string>();
        foreach (var setting in values.Given.Where(s => !s.AppliesTo(precision)))
        {
            notes.Add($"{values.Spelling(setting)} applies only to {string.Join("/", setting.Precisions.Select(p => p.ToString().ToLowerInvariant()))}; ignored for {precision.ToString().ToLowerInvariant()}.");
        }

        if (!calibrated)
        {
            // Without calibration data, static settings would otherwise vanish silently: dynamic INT8 has no activation
            // ranges. Image and text preprocessing still read validation data.
            bool validation = values.Has(QuantizeSettings.ValidationData);
            var given = values.Given
                .Where(s => s.Scope == SettingScope.Calibration || (s.Scope == SettingScope.Preprocessing && !validation))
                .Select(values.Spelling)
                .Concat(parseResult.GetResult(_rangesCache) is { Implicit: false } ? [_rangesCache.Name] : [])
                .ToList();
            if (given.Count > 0)
            {
                notes.Add($"{string.Join(", ", given)} appl{(given.Count == 1 ? "ies" : "y")} only to static int8 (--precision int8 with --calibration-data) and to int4 with --int4-method gptq or awq; ignored.");
            }
        }

        return notes;
    }
}
