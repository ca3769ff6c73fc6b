using System.Text;

namespace Quantize.Core.Reporting;

/// <summary>
/// Escapes names and sentences for Markdown (GitHub flavour) text and table cells: the characters that
/// start emphasis, code, links, HTML or entities, and the table separator <c>|</c>, get a backslash;
/// line breaks become spaces because a table row is one line.
/// </summary>
internal static class MarkdownText
{
    private const string Special = "\\`*_[]<>|~&#!";

    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (c is '\r' or '\n')
            {
                builder.Append(' ');
            }
            else if (c < ' ' || c == '\u007f')
            {
                builder.Append('\uFFFD');
            }
            else
            {
                if (Special.Contains(c, StringComparison.Ordinal))
                {
                    builder.Append('\\');
                }

                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// A fenced code block around <paramref name="code"/>, with a fence longer than any backtick run inside
    /// it so that no node name can close the block early.
    /// </summary>
    public static string Fence(string code, string language)
    {
        int longest = 0;
        int run = 0;
        foreach (char c in code)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', Math.Max(3, longest + 1));
        return $"{fence}{language}\n{code}\n{fence}\n";
    }
}
