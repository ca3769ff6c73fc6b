namespace Quantize.Core.Diagnostics;

/// <summary>A warning or note produced while quantizing, with its stable code.</summary>
/// <param name="Code">The QNT code.</param>
/// <param name="FilePath">The file it is about.</param>
/// <param name="Message">A sentence a user can act on.</param>
public sealed record Diagnostic(string Code, string FilePath, string Message)
{
    /// <summary>The canonical MSBuild form of this warning.</summary>
    public override string ToString() => Format(FilePath, "warning", Code, Message);

    /// <summary>
    /// Formats the canonical MSBuild error/warning line (<c>file(1,1): error CODE: text</c>), which
    /// MSBuild's ToolTask and every CI log parser understand without extra code.
    /// </summary>
    public static string Format(string filePath, string severity, string code, string message)
        => $"{filePath}(1,1): {severity} {code}: {message.ReplaceLineEndings(" ")}";
}
