using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Quantize.Generators.Emit;

/// <summary>Escaping for the two languages generated code embeds text in: C# string literals and XML docs.</summary>
internal static class Text
{
    /// <summary>A C# string literal (quoted, escaped), or <c>null</c>.</summary>
    public static string Literal(string? value) => value is null ? "null" : SymbolDisplay.FormatLiteral(value, quote: true);

    /// <summary>Text safe inside an XML doc comment: markup characters escaped, line breaks flattened.</summary>
    public static string Xml(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            switch (c)
            {
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '&': builder.Append("&amp;"); break;
                case '"': builder.Append("&quot;"); break;
                default: builder.Append(c < ' ' ? ' ' : c); break;
            }
        }

        return builder.ToString();
    }
}
