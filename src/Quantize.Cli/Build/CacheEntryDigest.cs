using System.Text;
using System.Text.Json;

namespace Quantize.Cli.Build;

/// <summary>
/// What a cache entry held when it was made: the size and SHA-256 of each of its files (the model, its external
/// data, the saved report and summary), kept beside them as <c>&lt;key&gt;.digest.json</c> and written before the
/// entry is published. A reuse hashes the files again and compares, so an entry altered on disk, swapped for
/// another model, truncated or half-deleted is never embedded (hashing runs at disk speed, and the model's hash is
/// the one the manifest needs anyway).
/// </summary>
internal static class CacheEntryDigest
{
    /// <summary>How the JSON side files of a cache entry (this digest, <see cref="CachedWarnings"/>) are written: camelCase, indented, paths unescaped.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One file of an entry, by its name in the cache folder.</summary>
    public sealed record FileDigest(string Name, long Size, string Sha256);

    /// <summary>The digest file of the entry at <paramref name="entryPath"/>.</summary>
    public static string PathOf(string entryPath) => Path.ChangeExtension(entryPath, ".digest.json");

    /// <summary>Every file of the entry at <paramref name="entryPath"/> besides the digest itself: the model and its <c>&lt;key&gt;.*</c> side files.</summary>
    public static IEnumerable<string> Files(string entryPath)
    {
        var folder = Path.GetDirectoryName(entryPath)!;
        var stem = Path.GetFileNameWithoutExtension(entryPath);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(folder, stem + ".*")
            .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal) && !f.EndsWith(".lock", StringComparison.Ordinal) && f != PathOf(entryPath))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>
    /// Records the entry whose model is still at <paramref name="stagedModel"/> (it is published at
    /// <paramref name="entryPath"/> after this), its side files already in place; returns the model's SHA-256.
    /// </summary>
    public static string Write(string entryPath, string stagedModel)
    {
        var model = Digest(stagedModel, Path.GetFileName(entryPath));
        var files = new List<FileDigest> { model };
        files.AddRange(Files(entryPath).Where(f => f != entryPath).Select(f => Digest(f, Path.GetFileName(f))));
        var json = JsonSerializer.SerializeToUtf8Bytes(files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(), Json);
        FileUpdate.WriteIfChanged(PathOf(entryPath), json);
        return model.Sha256;
    }

    /// <summary>
    /// Checks the entry at <paramref name="entryPath"/> against its digest; returns the model's SHA-256 when every
    /// file matches, or null with <paramref name="problem"/> saying what did not.
    /// </summary>
    public static string? Verify(string entryPath, out string problem)
    {
        var recorded = Read(entryPath, out problem);
        if (recorded is null)
        {
            return null;
        }

        var folder = Path.GetDirectoryName(entryPath)!;
        var modelName = Path.GetFileName(entryPath);
        if (!recorded.Any(f => f.Name == modelName))
        {
            problem = "its digest does not list the model";
            return null;
        }

        string? modelSha = null;
        foreach (var file in recorded)
        {
            var path = Path.Combine(folder, Path.GetFileName(file.Name));
            if (!File.Exists(path))
            {
                problem = $"'{file.Name}' is missing";
                return null;
            }

            if (new FileInfo(path).Length != file.Size)
            {
                problem = $"'{file.Name}' has {new FileInfo(path).Length} bytes, {file.Size} when it was made";
                return null;
            }

            var (sha, _) = CacheKey.HashFile(path);
            if (sha != file.Sha256)
            {
                problem = $"'{file.Name}' has SHA-256 {sha[..12]}…, {file.Sha256[..12]}… when it was made";
                return null;
            }

            modelSha = file.Name == modelName ? sha : modelSha;
        }

        problem = "";
        return modelSha;
    }

    /// <summary>The files recorded for the entry at <paramref name="entryPath"/>, or null with <paramref name="problem"/> when its digest is missing or unreadable.</summary>
    public static IReadOnlyList<FileDigest>? Read(string entryPath, out string problem)
    {
        try
        {
            var files = JsonSerializer.Deserialize<List<FileDigest>>(File.ReadAllBytes(PathOf(entryPath)), Json);
            problem = files is null ? "its digest is empty" : "";
            return files;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            problem = ex is FileNotFoundException ? "it has no digest (an incomplete entry)" : $"its digest is unreadable ({ex.Message})";
            return null;
        }
    }

    /// <summary>Deletes the entry at <paramref name="entryPath"/>: model, side files and digest.</summary>
    public static void Evict(string entryPath)
    {
        File.Delete(PathOf(entryPath));
        foreach (var file in Files(entryPath).ToList())
        {
            File.Delete(file);
        }
    }

    private static FileDigest Digest(string path, string name)
    {
        var (sha, size) = CacheKey.HashFile(path);
        return new FileDigest(name, size, sha);
    }
}
