using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Commands;

/// <summary>
/// Runs a command's work and turns every failure into one canonical diagnostic line and an exit code.
/// The build task turns those lines into MSBuild errors, so nothing may escape as a stack trace.
/// </summary>
internal static class CommandGuard
{
    /// <summary>Runs <paramref name="work"/>; <paramref name="subject"/> is the file an unexpected failure is reported against.</summary>
    public static int Run(CliConsole console, string subject, Func<int> work)
    {
        try
        {
            return work();
        }
        catch (QuantizeException ex)
        {
            console.Error.WriteLine(ex.ToCanonicalString());
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            console.Error.WriteLine(Diagnostic.Format(subject, "error", ErrorCodes.InternalError,
                $"internal error: {ex.GetType().Name}: {ex.Message} This is a Quantize.Build defect; please report it with the model and the command line."));
            return ExitCodes.InternalError;
        }
    }
}
