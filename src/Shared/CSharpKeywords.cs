// Linked into the projects that need it (Quantize.Build.Tasks, and the generator tests that check it against
// Roslyn): dependency-free, so the netstandard2.0 task can carry it without referencing the compiler.
namespace Quantize.Shared;

/// <summary>
/// C#'s reserved keywords: a class or namespace named like one (<c>ClassName="event"</c>) would not compile. The build
/// task refuses such names on the item (QNT0013) before anything is quantized; the generator asks Roslyn itself, and a
/// test keeps this list equal to Roslyn's.
/// </summary>
internal static class CSharpKeywords
{
    /// <summary>Every reserved keyword (contextual keywords such as <c>var</c> or <c>record</c> are valid type names).</summary>
    public static readonly System.Collections.Generic.HashSet<string> Reserved = new(System.StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
        // Undocumented but reserved: the compiler refuses them as names too.
        "__arglist", "__makeref", "__reftype", "__refvalue",
    };
}
