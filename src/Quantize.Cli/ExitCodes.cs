namespace Quantize.Cli;

/// <summary>
/// The CLI's exit codes. They are part of its contract with scripts and the build task: only the
/// diagnostic lines say what went wrong, the code says whose problem it is.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>The input or an option was bad; a QNT error line says which (QuantizeException).</summary>
    public const int Failed = 1;

    /// <summary>The command line itself could not be parsed (unknown option, missing argument, bad response file).</summary>
    public const int UsageError = 2;

    /// <summary>A defect in Quantize.Build (QNT9999).</summary>
    public const int InternalError = 3;
}
