namespace Quantize.Cli.Build;

/// <summary>Writes files only when their content differs, atomically (temporary file + rename).</summary>
internal static class FileUpdate
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> unless it already holds exactly that; true when written.</summary>
    public static bool WriteIfChanged(string path, byte[] content)
    {
        if (File.Exists(path) && new FileInfo(path).Length == content.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(content))
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = $"{path}.{Core.Safety.StaleStaging.OwnerTag()}.tmp";
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
        return true;
    }

    /// <summary>Copies <paramref name="source"/> over <paramref name="destination"/> unless the destination already has the SHA-256 <paramref name="sha256"/>; true when copied.</summary>
    public static bool CopyIfChanged(string source, string destination, string sha256)
    {
        if (File.Exists(destination) && new FileInfo(destination).Length == new FileInfo(source).Length && CacheKey.HashFile(destination).Sha256 == sha256)
        {
            return false;
        }

        CopyAtomically(source, destination);
        return true;
    }

    /// <summary>
    /// Copies a cache entry's external-data files (<see cref="Core.Onnx.ModelArtifact.DataFilesAt"/>) to where the copied
    /// model expects them. Entry data files are named after the cache key, so a file of the same name and size already
    /// there holds the same bytes and is left alone.
    /// </summary>
    public static void CopyDataFiles(IReadOnlyList<(string From, string To)> files)
    {
        foreach (var (from, to) in files)
        {
            if (!File.Exists(to) || new FileInfo(to).Length != new FileInfo(from).Length)
            {
                CopyAtomically(from, to);
            }
        }
    }

    /// <summary>Creates or touches a marker file (its timestamp is what matters).</summary>
    public static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, CacheKey.EngineVersion + "\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
    }

    /// <summary>Copies through a temporary file beside <paramref name="destination"/>, so no reader sees half a file.</summary>
    private static void CopyAtomically(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var temporary = $"{destination}.{Core.Safety.StaleStaging.OwnerTag()}.tmp";
        File.Copy(source, temporary, overwrite: true);
        File.Move(temporary, destination, overwrite: true);
    }
}
