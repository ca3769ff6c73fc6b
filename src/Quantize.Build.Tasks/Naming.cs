using System;
using System.Text;

namespace Quantize.Build.Tasks;

/// <summary>Default class names: the model file's name in PascalCase, made a valid C# identifier.</summary>
internal static class Naming
{
    /// <summary><c>all-MiniLM-L6-v2.onnx</c> → <c>AllMiniLML6V2</c>; <c>2d_net</c> → <c>Model2dNet</c>.</summary>
    public static string PascalCase(string fileNameWithoutExtension)
    {
        var text = new StringBuilder();
        bool upperNext = true;
        foreach (char c in fileNameWithoutExtension)
        {
            if (char.IsLetterOrDigit(c))
            {
                text.Append(upperNext ? char.ToUpperInvariant(c) : c);
                upperNext = false;
            }
            else
            {
                upperNext = true;
            }
        }

        if (text.Length == 0 || !char.IsLetter(text[0]))
        {
            text.Insert(0, "Model");
        }

        return text.ToString();
    }

    /// <summary>
    /// True when <paramref name="name"/> is usable as a C# type name: letters, digits, underscores, not starting with a
    /// digit, and not a reserved keyword (<c>event</c> would only fail later, when the generated class is compiled).
    /// </summary>
    public static bool IsIdentifier(string name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsLetter(name[0]) || name[0] == '_') || Quantize.Shared.CSharpKeywords.Reserved.Contains(name))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for a dotted C# namespace or "".</summary>
    public static bool IsNamespace(string name) =>
        name.Length == 0 || Array.TrueForAll(name.Split('.'), IsIdentifier);
}
