namespace Quantize.Testing;

/// <summary>
/// The scratch root of one test process, <c>scratch/run-&lt;id&gt;</c> under the test output folder. Tests
/// write quantized copies of 90 MB models there by the hundred; left behind, a few runs fill a CI disk. The
/// root is deleted when the process exits, and roots that earlier runs left (killed before their exit ran)
/// are deleted once they are old enough that no live run can still own them.
/// </summary>
internal static class ScratchRun
{
    private static readonly TimeSpan Abandoned = TimeSpan.FromHours(6);
    private static readonly Lazy<string> Folder = new(Create);

    public static string Root => Folder.Value;

    private static string Create()
    {
        var scratch = Path.Combine(AppContext.BaseDirectory, "scratch");
        Directory.CreateDirectory(scratch);
        foreach (var old in new DirectoryInfo(scratch).EnumerateDirectories().Where(d => d.LastWriteTimeUtc < DateTime.UtcNow - Abandoned))
        {
            TryDelete(old.FullName);
        }

        var root = Path.Combine(scratch, "run-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still open is removed by a later run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
