using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Quantize.Generators.Emit;

/// <summary>
/// Turns tensor and dimension names into valid, unique C# identifiers: <c>input_ids</c> becomes
/// <c>inputIds</c> (parameters) or <c>InputIds</c> (properties); names that start with a digit get a
/// role prefix (<c>924</c> → <c>output924</c>); keywords are escaped with <c>@</c>; a name taken
/// earlier in the same scope gets a number (<c>x</c>, <c>x2</c>).
/// </summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _taken = new(System.StringComparer.Ordinal);

    public NameScope(params string[] reserved)
    {
        foreach (var name in reserved)
        {
            _taken.Add(name);
        }
    }

    /// <summary>A camelCase parameter name; <paramref name="prefix"/> is used when the name has no leading letter.</summary>
    public string Camel(string name, string prefix) => Unique(Words(name, prefix, pascal: false), escapeKeywords: true);

    /// <summary>A PascalCase member name.</summary>
    public string Pascal(string name, string prefix) => Unique(Words(name, prefix, pascal: true), escapeKeywords: false);

    /// <summary>Reserves an exact name (for example a generated member's own).</summary>
    public string Exact(string name) => Unique(name, escapeKeywords: false);

    private string Unique(string candidate, bool escapeKeywords)
    {
        var name = candidate;
        for (int n = 2; !_taken.Add(name); n++)
        {
            name = candidate + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        bool isKeyword = SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None;
        return escapeKeywords && isKeyword ? "@" + name : name;
    }

    /// <summary>Splits on anything that is not a letter or digit, then joins the words in camel or Pascal case.</summary>
    private static string Words(string name, string prefix, bool pascal)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (char c in name)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        if (words.Count == 0 || !char.IsLetter(words[0][0]))
        {
            words.Insert(0, prefix);
        }

        var result = new StringBuilder();
        for (int i = 0; i < words.Count; i++)
        {
            var word = words[i];
            bool upper = pascal || i > 0;
            result.Append(upper ? char.ToUpperInvariant(word[0]) : char.ToLowerInvariant(word[0])).Append(word, 1, word.Length - 1);
        }

        // Letters and digits outside what C# accepts in identifiers (rare scripts, other digit sets) fall back to the prefix.
        var text = result.ToString();
        return SyntaxFacts.IsValidIdentifier(text) ? text : prefix;
    }
}
