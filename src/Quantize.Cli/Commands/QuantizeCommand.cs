using System.CommandLine;
using Quantize.Core;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Commands;

/// <summary>
/// <c>dotnet quantize [quantize] IN -o OUT --precision P [options]</c>: every <see cref="QuantizeOptions"/>
/// field has an option here. The command name may be left out (see <see cref="CliApplication"/>); generated
/// response files name it, so a model file named like a command can never be misread.
/// </summary>
internal sealed class QuantizeCommand
{
    private static readonly QuantizeOptions Defaults = new() { Precision = Precision.Int8 };

    private readonly CliConsole _console;

    private readonly Argument<string> _input = new("input") { Description = "The float ONNX model to quantize." };

    private readonly Option<string> _output = new("--output", "-o")
    {
        Description = "Where to write the quantized model (replaced atomically; nothing is written on failure).",
        Required = true,
    };

    private readonly Option<string> _precision = new("--precision", "-p")
    {
        Description = $"Target precision: {PrecisionNames.Accepted}.",
        HelpName = "fp16|bf16|int8|int4",
        Required = true,
    };

    private readonly Option<string[]> _exclude = new("--exclude", "-x")
    {
        Description = "Node names or op types to leave in float. Repeat the option or separate with commas. Each entry must match a node.",
        HelpName = "name-or-op",
    };

    private readonly Option<string[]> _override = OverrideOption.Create();

    private readonly Option<bool> _convertIo = new("--convert-io")
    {
        Description = "FP16/BF16: also convert the graph's float inputs and outputs (by default they stay float32 so callers do not change).",
    };

    private readonly Option<long> _minElements = new("--min-elements")
    {
        Description = "Leave weights with fewer elements than this alone.",
        DefaultValueFactory = _ => Defaults.MinElements,
    };

    private readonly Option<bool> _perChannel = new("--per-channel")
    {
        Description = "INT8: one scale per output channel instead of one per tensor.",
    };

    private readonly Option<int?> _blockSize = new("--block-size")
    {
        Description = "INT4: elements per quantization block for every weight (a power of two, at least 16). "
            + "Left out: 32, and 16 for MatMul weights whose error reaches the output without passing a softmax.",
    };

    private readonly Option<bool> _asymmetric = new("--asymmetric")
    {
        Description = "INT4: per-block zero points instead of symmetric blocks.",
    };

    private readonly Option<int> _accuracyLevel = new("--accuracy-level")
    {
        Description = "INT4 MatMulNBits accuracy_level: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 (fastest on CPU).",
        DefaultValueFactory = _ => Defaults.AccuracyLevel,
    };

    private readonly Option<string> _int4Format = new("--int4-format")
    {
        Description = "INT4 form: matmulnbits (ONNX Runtime's fused MatMulNBits) or qdq (standard ONNX int4 + DequantizeLinear, opset 21).",
        HelpName = "matmulnbits|qdq",
        DefaultValueFactory = _ => Int4Formats.MatMulNBits,
    };

    private readonly Option<bool> _noVerify = new("--no-verify")
    {
        Description = "Skip loading the result in ONNX Runtime before reporting success.",
    };

    private readonly Option<bool> _quiet = new("--quiet", "-q")
    {
        Description = "Print only warnings and errors.",
    };

    private readonly CalibrationCommandOptions _calibration = new();

    private readonly QualityCommandOptions _quality = new();

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
        foreach (var option in new Option[] { _output, _precision, _exclude, _override, _convertIo, _minElements, _perChannel, _blockSize, _asymmetric, _accuracyLevel, _int4Format, _noVerify, _quiet }.Concat(_calibration.All).Concat(_quality.All).Concat(_remote.All))
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
        var precisionText = parseResult.GetValue(_precision);
        if (!PrecisionNames.TryParse(precisionText, out var precision))
        {
            throw new QuantizeException(ErrorCodes.UnknownPrecision, input,
                $"Unknown precision '{precisionText}'. Use one of: {PrecisionNames.Accepted}.");
        }

        var options = new QuantizeOptions
        {
            Precision = precision,
            Exclude = ExclusionList.Split(parseResult.GetValue(_exclude)),
            Overrides = OverrideOption.Parse(parseResult.GetValue(_override), input),
            KeepIoTypes = !parseResult.GetValue(_convertIo),
            MinElements = parseResult.GetValue(_minElements),
            PerChannel = parseResult.GetValue(_perChannel),
            BlockSize = parseResult.GetValue(_blockSize),
            Symmetric = !parseResult.GetValue(_asymmetric),
            AccuracyLevel = parseResult.GetValue(_accuracyLevel),
            StandardOnnxInt4 = Int4Formats.IsStandardOnnx(parseResult.GetValue(_int4Format), input),
            Static = _calibration.StaticOptions(parseResult, input),
        };
        var calibration = precision == Precision.Int8 ? _calibration.ToRequest(parseResult, input) : null;

        return new QuantizeRequest(
            input,
            parseResult.GetValue(_output)!,
            options,
            Verify: !parseResult.GetValue(_noVerify),
            Quiet: parseResult.GetValue(_quiet),
            Notes: IgnoredOptions(parseResult, precision, calibration is not null),
            Calibration: calibration,
            Quality: _quality.ToOptions(parseResult, input, _calibration, calibrated: calibration is not null),
            ReportDirectory: _quality.ReportDirectory(parseResult),
            RemoteCache: _remote.ToSettings(parseResult, input));
    }

    /// <summary>Options given explicitly that the chosen precision does not use: said out loud rather than silently dropped.</summary>
    private List<string> IgnoredOptions(ParseResult parseResult, Precision precision, bool calibrated)
    {
        var appliesTo = new (Option Option, Precision[] Precisions)[]
        {
            (_convertIo, [Precision.Fp16, Precision.Bf16]),
            (_perChannel, [Precision.Int8]),
            (_blockSize, [Precision.Int4]),
            (_asymmetric, [Precision.Int4]),
            (_accuracyLevel, [Precision.Int4]),
            (_int4Format, [Precision.Int4]),
        };
        var notes = new List<string>();
        foreach (var (option, precisions) in appliesTo)
        {
            if (parseResult.GetResult(option) is { Implicit: false } && !precisions.Contains(precision))
            {
                notes.Add($"{option.Name} applies only to {string.Join("/", precisions.Select(p => p.ToString().ToLowerInvariant()))}; ignored for {precision.ToString().ToLowerInvariant()}.");
            }
        }

        if (!calibrated)
        {
            // Static options without data would otherwise vanish silently: dynamic INT8 has no activation ranges.
            // Image and text preprocessing also read validation data.
            var used = _quality.HasValidationData(parseResult) ? _calibration.Preprocessing.ToHashSet() : [];
            var given = _calibration.All.Where(o => !used.Contains(o) && parseResult.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if (given.Count > 0)
            {
                notes.Add($"{string.Join(", ", given)} appl{(given.Count == 1 ? "ies" : "y")} only to static int8 (--precision int8 with --calibration-data); ignored.");
            }
        }

        return notes;
    }
}
