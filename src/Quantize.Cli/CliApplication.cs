using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Quantize.Cli.Commands;
using Quantize.Core.Graph;

namespace Quantize.Cli;

/// <summary>Builds the command tree, parses the arguments (response files included) and runs the chosen command.</summary>
internal static class CliApplication
{
    /// <summary>Runs the CLI with <paramref name="args"/>; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args, CliConsole console)
    {
        var root = new RootCommand(
            "Quantize ONNX models to FP16, BF16, INT8 or INT4, and inspect them. " +
            "'quantize' is the default command: dotnet quantize IN -o OUT --precision int8. " +
            "Arguments may come from response files (dotnet quantize @args.rsp), one or more per line, quoted when they contain spaces.");
        root.Subcommands.Add(QuantizeCommand.Create(console));
        root.Subcommands.Add(InspectCommand.Create(console));
        root.Subcommands.Add(Build.BuildCommand.Create(console));

        // Response files (@file) are expanded here, with a depth limit and cycle detection, not by the parser.
        try
        {
            args = ResponseFiles.Expand(args);
        }
        catch (ResponseFileException ex)
        {
            console.Error.WriteLine($"error: {ex.Message}");
            console.Error.WriteLine("Run 'dotnet quantize --help' for usage.");
            return ExitCodes.UsageError;
        }

        var configuration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        if (args.Length == 0)
        {
            // Nothing to do: show what can be done. quantize is the default command, so its help (every option) is the useful one.
            console.Out.Write(HelpText(root.Parse(["quantize", "--help"], configuration)));
            return ExitCodes.UsageError;
        }

        var parseResult = root.Parse(args, configuration);
        if (ShouldDefaultToQuantize(parseResult, root, args))
        {
            // People type "dotnet quantize model.onnx ..."; parsing again with the command named keeps
            // the tree simple (no root-level arguments leaking into every command's usage line) and
            // also covers response files that do not start with a command name.
            parseResult = root.Parse(["quantize", .. args], configuration);
        }

        if (parseResult.Action is ParseErrorAction)
        {
            // Usage errors are not QNT diagnostics: the command line, not a model, is at fault.
            foreach (var error in parseResult.Errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            if (LooksLikeMistypedCommand(args, root) is { } command)
            {
                console.Error.WriteLine($"Did you mean 'dotnet quantize {command}'?");
            }

            foreach (var (given, option) in MistypedOptions(parseResult))
            {
                console.Error.WriteLine($"Did you mean '{option}' for '{given}'?");
            }

            console.Error.WriteLine("Run 'dotnet quantize --help' for usage.");
            return ExitCodes.UsageError;
        }

        if (parseResult.Action is HelpAction)
        {
            console.Out.Write(HelpText(parseResult));
            if (ReferenceEquals(parseResult.CommandResult.Command, root))
            {
                // The top-level help also lists what the default command takes: that is what people look for.
                console.Out.WriteLine("The quantize command (its name may be left out):");
                console.Out.WriteLine();
                console.Out.Write(HelpText(root.Parse(["quantize", "--help"], configuration)));
            }

            return ExitCodes.Success;
        }

        return parseResult.Invoke(new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Every command turns its own exceptions into QNT lines (CommandGuard); anything that still
            // escapes is a defect, reported the same way below rather than as a stack trace.
            EnableDefaultExceptionHandler = false,
        });
    }

    /// <summary>
    /// The help System.CommandLine writes, with the usage lines naming the command people type: the parser names the
    /// root after the assembly (Quantize.Cli), but the tool runs as <c>dotnet quantize</c>.
    /// </summary>
    private static string HelpText(ParseResult help)
    {
        using var text = new StringWriter();
        help.Invoke(new InvocationConfiguration { Output = text, Error = text });
        return text.ToString().Replace("  " + RootCommand.ExecutableName + " ", "  dotnet quantize ", StringComparison.Ordinal);
    }

    /// <summary>A command name one or two edits away from a first argument that is not an existing file.</summary>
    private static string? LooksLikeMistypedCommand(string[] args, RootCommand root)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || args[0].StartsWith('@') || File.Exists(args[0]))
        {
            return null;
        }

        var names = root.Subcommands.Select(c => c.Name).ToList();
        var closest = ClosestMatch.Find(args[0], names);
        return closest is not null && !names.Contains(args[0]) && ClosestMatch.EditDistance(args[0].ToLowerInvariant(), closest) <= 2 ? closest : null;
    }

    /// <summary>Unrecognized <c>--options</c> with an option of the parsed command one or two edits away (<c>--blocksize</c> → <c>--block-size</c>).</summary>
    private static IEnumerable<(string Given, string Option)> MistypedOptions(ParseResult parseResult)
    {
        var names = parseResult.CommandResult.Command.Options.SelectMany(o => o.Aliases.Append(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct().ToList();
        foreach (var token in parseResult.UnmatchedTokens.Where(t => t.StartsWith("--", StringComparison.Ordinal)))
        {
            var given = token.Split('=', 2)[0];
            if (ClosestMatch.Find(given, names) is { } closest && ClosestMatch.EditDistance(given.ToLowerInvariant(), closest) <= 2)
            {
                yield return (given, closest);
            }
        }
    }

    /// <summary>True when no command was named and the root could not make sense of the arguments.</summary>
    private static bool ShouldDefaultToQuantize(ParseResult parseResult, RootCommand root, string[] args) =>
        args.Length > 0
        && parseResult.Action is ParseErrorAction
        && ReferenceEquals(parseResult.CommandResult.Command, root);
}
