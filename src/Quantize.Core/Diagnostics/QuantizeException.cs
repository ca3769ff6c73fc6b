namespace Quantize.Core.Diagnostics;

/// <summary>
/// A failure caused by the input or the options, never by an engine bug. It carries a stable
/// <see cref="ErrorCodes">QNT code</see> and the file it is about, so every front door (CLI, build task)
/// can print it as <c>path(1,1): error QNTxxxx: message</c>.
/// </summary>
public sealed class QuantizeException : Exception
{
    /// <summary>Creates an error about <paramref name="filePath"/>.</summary>
    public QuantizeException(string code, string filePath, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        FilePath = filePath;
    }

    /// <summary>The stable QNT code.</summary>
    public string Code { get; }

    /// <summary>The file the error is about (model, calibration file, output...).</summary>
    public string FilePath { get; }

    /// <summary>The canonical one-line form that MSBuild and editors turn into a diagnostic.</summary>
    public string ToCanonicalString() => Diagnostic.Format(FilePath, "error", Code, Message);
}
