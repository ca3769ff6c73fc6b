namespace Quantize.Testing;

/// <summary>
/// Fills a cache folder that test processes and runs share (fetched photos, npm packages) exactly once in effect:
/// the content is made in a private folder beside it and renamed into place, so a concurrent test process never
/// sees half of it, and the first process to finish wins.
/// </summary>
internal static class SharedCacheFolder
{
    /// <summary>
    /// Calls <paramref name="fill"/> with a private work folder and the folder it must create there (the
    /// content), then renames that into <paramref name="target"/>; the work folder is always deleted.
    /// </summary>
    public static void Fill(string target, Action<string, string> fill)
    {
        var work = Path.Combine(Path.GetDirectoryName(target)!, "download-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            var content = Path.Combine(work, "content");
            fill(work, content);
            try
            {
                Directory.Move(content, target);
            }
            catch (IOException) when (Directory.Exists(target))
            {
                // Another process finished first; its copy is as good as ours.
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
