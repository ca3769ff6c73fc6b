using Quantize.Core.Onnx;

namespace Quantize.Cli.Build;

/// <summary>
/// The content-addressed store of quantized models: <c>&lt;cache&gt;/&lt;key[0..2]&gt;/&lt;key&gt;.onnx</c>.
/// Entries appear only by rename from a fully written temporary file, so a reader never sees half an entry, and
/// each carries a digest of its files that every reuse checks, so a damaged entry is never served.
/// Producers of one key take a lock file first, so several processes (projects built with <c>-m</c>, build
/// servers sharing the folder) quantize a model once and the rest wait and reuse it.
/// </summary>
internal sealed class ModelCache(string directory)
{
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>The entry's path whether or not it exists.</summary>
    public string EntryPath(string key) => Path.Combine(directory, key[..2], key + ".onnx");

    /// <summary>Where the calibrated ranges with this fingerprint are kept, beside the entries (small JSON).</summary>
    public string RangesPath(string fingerprint)
    {
        var path = Path.Combine(directory, fingerprint[..2], fingerprint + ".ranges.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>
    /// Returns the entry for <paramref name="key"/>, producing it with <paramref name="produce"/> (which writes
    /// the file it is given, in a staging folder: <see cref="Core.QuantizeJob.OutputIsStaged"/>) when no process has. <c>Reused</c> says whether it was already there; <c>Sha256</c> is the
    /// model's verified hash. An entry that fails verification (<see cref="CacheEntryDigest"/>) is reported through
    /// <paramref name="corrupt"/>, removed and produced again: never used, never a permanent failure.
    /// </summary>
    public CacheLookup GetOrCreate(string key, Action<string> produce, Action<string> corrupt, CancellationToken cancellation)
    {
        var entry = EntryPath(key);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (File.Exists(entry) && CacheEntryDigest.Verify(entry, out _) is { } verified)
        {
            return new CacheLookup(entry, true, verified, clock.Elapsed);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        // Temporary files and staging folders of other keys whose producer died (a killed build) would otherwise stay forever.
        Core.Safety.StaleStaging.SweepTemporaryFiles(Path.GetDirectoryName(entry)!);
        Core.Safety.StaleStaging.Sweep(Path.GetDirectoryName(entry)!);
        using (AcquireLock(entry + ".lock", cancellation))
        {
            // Whoever held the lock before us may have produced (or repaired) it.
            if (File.Exists(entry))
            {
                clock.Restart();
                if (CacheEntryDigest.Verify(entry, out var problem) is { } sha)
                {
                    return new CacheLookup(entry, true, sha, clock.Elapsed);
                }

                corrupt($"The build-cache entry '{entry}' failed verification: {problem}. It was removed and the model is quantized again.");
            }

            // Under the key's lock nobody else is producing it: side files without a published model and temporary files
            // are what a killed producer left behind.
            CacheEntryDigest.Evict(entry);
            foreach (var leftover in Directory.EnumerateFiles(Path.GetDirectoryName(entry)!, key + ".*.tmp*").ToList())
            {
                File.Delete(leftover);
            }

            // The run's one staging folder: the model is written under its entry's own name there, so the external-data
            // file it records is <key>.onnx.data, a side file of the key like the others, listed in the digest. The commit
            // is this cache's publish step: data files, digest, then the model by rename.
            string sha256;
            using (var staged = Core.StagedOutput.Beside(entry))
            {
                produce(staged.ModelPath);
                foreach (var (from, to) in ModelArtifact.DataFilesAt(staged.ModelPath, entry))
                {
                    File.Move(from, to, overwrite: true);
                }

                sha256 = CacheEntryDigest.Write(entry, staged.ModelPath);
                Publish(staged.ModelPath, entry);
            }

            return new CacheLookup(entry, false, sha256, TimeSpan.Zero);
        }
    }

    /// <summary>Renames into place; when another producer won a race without the lock (a foreign tool), its file stays.</summary>
    private static void Publish(string temporary, string entry)
    {
        try
        {
            File.Move(temporary, entry, overwrite: false);
        }
        catch (IOException) when (File.Exists(entry))
        {
            // Same key means same content: the existing entry is as good as ours.
        }
    }

    /// <summary>
    /// An exclusive lock on a file (.NET takes flock/LockFileEx for FileShare.None), released when the stream is
    /// disposed or the process dies, so a crashed build never leaves the key locked.
    /// </summary>
    private static FileStream AcquireLock(string path, CancellationToken cancellation)
    {
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                Thread.Sleep(LockPoll);
            }
        }
    }
}

/// <summary>What <see cref="ModelCache.GetOrCreate"/> found or made.</summary>
/// <param name="Path">The entry's model file.</param>
/// <param name="Reused">True when the entry was already there (and verified).</param>
/// <param name="Sha256">The model's SHA-256, as verified.</param>
/// <param name="Verification">How long verifying the reused entry took (hashing its files); zero for a new one.</param>
internal sealed record CacheLookup(string Path, bool Reused, string Sha256, TimeSpan Verification);
