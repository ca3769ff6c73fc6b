using System.CommandLine;
using Quantize.Core;

namespace Quantize.Cli.Commands;

/// <summary><c>--override SELECTOR=PRECISION</c> (repeatable): per-node and per-op-type precision overrides.</summary>
internal static class OverrideOption
{
    /// <summary>Creates the option.</summary>
    public static Option<string[]> Create() => new("--override")
    {
        Description = "Keep nodes in a higher precision: SELECTOR=fp32|fp16, where SELECTOR is a node name or op type "
            + "(several separated by commas). Repeatable. Example: --override Softmax=fp16 --override fc1=fp32.",
        HelpName = "selector=precision",
    };

    /// <summary>Every value parsed in order; bad text fails with QNT0009 about <paramref name="input"/>.</summary>
    public static IReadOnlyList<PrecisionOverride> Parse(IEnumerable<string>? values, string input) =>
        values is null ? [] : [.. values.SelectMany(v => PrecisionOverride.Parse(v, input))];
}
