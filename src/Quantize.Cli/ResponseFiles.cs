using System.CommandLine.Parsing;
using Quantize.Core.Safety;

namespace Quantize.Cli;

/// <summary>
/// Expands <c>@file</c> arguments before parsing: each line of a response file is split like a command line
/// (quote paths with spaces), lines starting with <c>#</c> are comments, and a response file may name others.
/// System.CommandLine's own expansion follows nested references without limit, so a file that names itself
/// overflowed the stack; here nesting stops at <see cref="MaxDepth"/> and a cycle is a usage error naming the file.
/// </summary>
internal static class ResponseFiles
{
    /// <summary>How deep response files may name other response files.</summary>
    public const int MaxDepth = 8;

    /// <summary>The arguments with every <c>@file</c> replaced by its contents; throws <see cref="ResponseFileException"/> on a bad reference.</summary>
    public static string[] Expand(IEnumerable<string> args)
    {
        var expanded = new List<string>();
        Expand(args, expanded, new Stack<string>());
        return [.. expanded];
    }

    private static void Expand(IEnumerable<string> args, List<string> into, Stack<string> open)
    {
        foreach (var arg in args)
        {
            if (arg.Length < 2 || arg[0] != '@')
            {
                into.Add(arg);
                continue;
            }

            var path = arg[1..];
            var real = File.Exists(path) ? RealPath.Of(path) : path;
            if (open.Any(o => RealPath.Same(o, real)))
            {
                throw new ResponseFileException($"Response file '{path}' includes itself (through {string.Join(" -> ", open.Reverse().Append(real).Select(p => $"'{p}'"))}).");
            }

            if (open.Count >= MaxDepth)
            {
                throw new ResponseFileException($"Response file '{path}' is nested more than {MaxDepth} deep.");
            }

            open.Push(real);
            Expand(Read(path), into, open);
            open.Pop();
        }
    }

    private static IEnumerable<string> Read(string path)
    {
        if (FileKinds.Of(path) != FileKind.Regular)
        {
            throw new ResponseFileException(FileKinds.Of(path) == FileKind.Missing
                ? $"Response file '{path}' not found."
                : $"Response file '{path}' is {FileKinds.Describe(FileKinds.Of(path))}, not a regular file.");
        }

        try
        {
            return [.. File.ReadAllLines(path)
                .Where(line => !line.TrimStart().StartsWith('#'))
                .SelectMany(CommandLineParser.SplitCommandLine)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ResponseFileException($"Response file '{path}' cannot be read: {ex.Message}");
        }
    }
}

/// <summary>A response file that cannot be expanded: a usage error (exit code 2), not a QNT diagnostic.</summary>
internal sealed class ResponseFileException(string message) : Exception(message);
