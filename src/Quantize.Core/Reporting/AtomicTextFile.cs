using System.Text;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Reporting;

/// <summary>
/// Writes a text file through a temporary file in the same folder and a rename, so a reader (a browser
/// refreshing the report, an incremental build comparing files) never sees half a report.
/// </summary>
internal static class AtomicTextFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    public static void Write(string path, string text)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(temp, text, Utf8NoBom);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuantizeException(ErrorCodes.OutputWriteFailed, path, $"Cannot write the report '{path}': {ex.Message}", ex);
        }
        finally
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Best effort: the temporary name is unique and hidden, and a failed write already reported.
            }
        }
    }
}
