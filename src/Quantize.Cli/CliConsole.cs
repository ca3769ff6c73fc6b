namespace Quantize.Cli;

/// <summary>
/// Where the CLI writes. Results go to <see cref="Out"/>; progress and errors to <see cref="Error"/>, so
/// redirecting stdout (or parsing it in the build task) never mixes in progress lines.
/// </summary>
/// <param name="Out">Summaries, inspection output, warnings.</param>
/// <param name="Error">Progress, errors, usage problems.</param>
/// <param name="ErrorIsTerminal">True when stderr is an interactive terminal, so progress may redraw one line.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool ErrorIsTerminal)
{
    /// <summary>The process's own console.</summary>
    public static CliConsole System => new(Console.Out, Console.Error, !Console.IsErrorRedirected);
}
