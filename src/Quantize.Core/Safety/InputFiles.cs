using Quantize.Core.Diagnostics;

namespace Quantize.Core.Safety;

/// <summary>
/// The one rule for every file the engine opens for reading (model, external data, calibration and validation
/// files, vocabularies, saved ranges): it must be a regular file. Folders get a plain message; FIFOs, devices and
/// sockets are refused with <see cref="ErrorCodes.HostilePath"/> without being opened (opening a FIFO for reading
/// blocks until someone writes to it, which would hang the build).
/// </summary>
public static class InputFiles
{
    /// <summary>
    /// Throws unless <paramref name="path"/> (links followed) is a regular file. <paramref name="what"/> names the file's
    /// role in messages ("model file", "calibration file"); <paramref name="missingCode"/> is the code for a missing one;
    /// <paramref name="subject"/> is the file the diagnostic is reported against.
    /// </summary>
    public static void RequireRegular(string path, string what, string missingCode, string subject)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Regular:
                return;
            case FileKind.Missing:
                throw new QuantizeException(missingCode, subject, $"The {what} '{path}' does not exist.");
            case FileKind.Directory:
                throw new QuantizeException(missingCode, subject, $"'{path}' is a folder, not a {what}.");
            default:
                throw new QuantizeException(ErrorCodes.HostilePath, subject,
                    $"The {what} '{path}' is a special file (FIFO, device or socket); only regular files are read.");
        }
    }

    /// <summary>True when <paramref name="path"/> is a regular file (for enumerations that skip everything else).</summary>
    public static bool IsRegular(string path) => FileKinds.Of(path) == FileKind.Regular;
}
