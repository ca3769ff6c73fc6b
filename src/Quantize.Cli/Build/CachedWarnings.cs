using System.Text.Json;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Build;

/// <summary>
/// The warnings of the run that made a cache entry, kept beside it as <c>&lt;key&gt;.warnings.json</c> (covered by its
/// digest) and replayed on every reuse, so a build's warnings do not depend on the cache's state: a CI build with
/// warnings as errors fails the same way on a cache hit as on the first build.
/// </summary>
internal static class CachedWarnings
{
    private sealed record Entry(string Code, string Message);

    /// <summary>Where the warnings of the entry at <paramref name="entryPath"/> are kept.</summary>
    public static string PathOf(string entryPath) => Path.ChangeExtension(entryPath, ".warnings.json");

    /// <summary>Stores <paramref name="warnings"/> beside the entry being produced (before it is published).</summary>
    public static void Save(string entryPath, IEnumerable<Diagnostic> warnings)
    {
        var entries = warnings.Select(w => new Entry(w.Code, w.Message)).ToList();
        FileUpdate.WriteIfChanged(PathOf(entryPath), JsonSerializer.SerializeToUtf8Bytes(entries, CacheEntryDigest.Json));
    }

    /// <summary>The stored warnings, reported against <paramref name="source"/> (the item's model file); none when the entry has no file.</summary>
    public static IReadOnlyList<Diagnostic> Load(string entryPath, string source)
    {
        var path = PathOf(entryPath);
        if (!File.Exists(path))
        {
            return [];
        }

        // The digest verified this file with the entry; a parse failure here is a defect, not bad input.
        var entries = JsonSerializer.Deserialize<List<Entry>>(File.ReadAllBytes(path), CacheEntryDigest.Json) ?? [];
        return [.. entries.Select(e => new Diagnostic(e.Code, source, e.Message))];
    }
}
