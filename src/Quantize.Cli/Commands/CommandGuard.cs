using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Commands;

/// <summary>
/// Runs a command's work and turns every failure into one canonical diagnostic line and an exit code.
/// The build task turns those lines into MSBuild errors, so nothing may escape as a stack trace.
/// </summary>
internal static class CommandGuard
{
    /// <summary>The DllNotFoundException behind <paramref name="ex"/> (ONNX Runtime wraps it in a type initializer's), if any.</summary>
    private static DllNotFoundException? MissingNativeLibrary(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is DllNotFoundException missing)
            {
                return missing;
            }
        }

        return null;
    }

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
        catch (Exception ex) when (MissingNativeLibrary(ex) is { } missing)
        {
            var folders = NativeLibraries.PackageFolders();
            console.Error.WriteLine(Diagnostic.Format(subject, "error", ErrorCodes.NativeLibraryMissing,
                $"A native library Quantize.Build needs could not be loaded ({missing.Message}). " +
                (folders.Count == 0
                    ? "The worker was started without a NuGet packages folder to take it from (the build passes it in " + NativeLibraries.PackageFoldersVariable + "); "
                    : $"It is taken from the NuGet packages folder ({string.Join(", ", folders)}), where Microsoft.ML.OnnxRuntime and the SkiaSharp.NativeAssets packages should be; ") +
                "run 'dotnet restore' for the project and build again."));
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
