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

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        var temporary = $"{destination}.{Core.Safety.StaleStaging.OwnerTag()}.tmp";
        File.Copy(source, temporary, overwrite: true);
        File.Move(temporary, destination, overwrite: true);
        return true;
    }

    /// <summary>Creates or touches a marker file (its timestamp is what matters).</summary>
    public static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, CacheKey.EngineVersion + "\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
    }
}
