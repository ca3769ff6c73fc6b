using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Quantize.Cli.Build.Remote.Protocol;
using Quantize.Cli.Output;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Build.Remote;

/// <summary>
/// The shared remote cache as one worker run (one project build) uses it, behind the local cache folder: a local
/// miss asks the server before quantizing, and a model quantized here is uploaded afterwards (read-write mode).
/// Nothing here fails a build: a server that is unreachable, slow or refusing costs one warning for the run and
/// the build goes on locally; an entry whose files do not match their digests is rejected with a warning and the
/// model is quantized here.
/// </summary>
internal sealed class RemoteCache : IDisposable
{
    private readonly RemoteCacheSettings _settings;
    private readonly RemoteCacheClient _client;
    private readonly RemoteClaims _claims;
    private string? _unavailable;
    private string? _uploadsRefused;
    private int _hits;
    private int _misses;
    private int _uploaded;
    private TimeSpan _saved;

    /// <summary>Blobs the server holds with the wrong content: uploaded again even though the server says it has them.</summary>
    private readonly HashSet<string> _damagedBlobs = new(StringComparer.Ordinal);

    /// <summary>Talks to the server <paramref name="settings"/> names, with the default timeouts and retries.</summary>
    public RemoteCache(RemoteCacheSettings settings)
    {
        _settings = settings;
        _client = new RemoteCacheClient(settings, RemoteTimeouts.Default);
        _claims = new RemoteClaims(_client, settings.ClaimTimeout, Guid.NewGuid().ToString("N"));
    }

    /// <summary>
    /// Tries to fill the local entry at <paramref name="entryPath"/> (its model at <paramref name="temporaryModel"/>,
    /// which the local cache publishes) from the server. In read-write mode a miss claims the key, or waits for the
    /// machine that claimed it. The result says whether it was a hit and, either way, what to print.
    /// </summary>
    public RemoteFetch Fetch(string key, string entryPath, string temporaryModel, string source, Action<Diagnostic> warn, CancellationToken cancellation)
    {
        if (_unavailable is not null)
        {
            return RemoteFetch.Miss("remote cache unavailable");
        }

        var clock = Stopwatch.StartNew();
        try
        {
            var bytes = _client.GetActionAsync(key, cancellation).GetAwaiter().GetResult();
            if (bytes is null && _settings.Mode == RemoteCacheMode.ReadWrite && _uploadsRefused is null)
            {
                try
                {
                    bytes = _claims.AwaitOrClaimAsync(key, cancellation).GetAwaiter().GetResult();
                }
                catch (RemoteCacheException ex) when (ex.Refused)
                {
                    // A credential that may read but not write (a pull-request token on a read-write build).
                    Disable(ex, source, warn, upload: true);
                }
            }

            if (bytes is null)
            {
                _misses++;
                return RemoteFetch.Miss("remote miss");
            }

            long before = _client.BytesDown;
            if (!Download(ActionResult.Parser.ParseFrom(bytes), key, entryPath, temporaryModel, EntryLimit(source), out var production, cancellation))
            {
                _misses++;
                return RemoteFetch.Miss("remote entry incomplete (the server no longer has all its files)");
            }

            _hits++;
            var saved = production is { } made && made > clock.Elapsed ? made - clock.Elapsed : TimeSpan.Zero;
            _saved += saved;
            return RemoteFetch.Hit(string.Create(CultureInfo.InvariantCulture,
                $"remote hit {key[..12]} ({Sizes.Bytes(_client.BytesDown - before)} in {Sizes.Duration(clock.Elapsed)}, verified)"));
        }
        catch (RemoteCacheException ex)
        {
            Disable(ex, source, warn);
            return RemoteFetch.Miss("remote cache unavailable");
        }
        catch (RemoteBlobMismatchException ex)
        {
            _damagedBlobs.Add(ex.Hash);
            return Rejected(key, source, warn, ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidProtocolBufferException)
        {
            return Rejected(key, source, warn, ex);
        }
    }

    /// <summary>
    /// Uploads the published local entry (every file, then the action entry that lists them) unless the server already
    /// has it; returns what the build line says about it. Failures are warnings, never errors.
    /// </summary>
    public string Publish(string key, string entryPath, TimeSpan production, string source, Action<Diagnostic> warn, CancellationToken cancellation)
    {
        if (_settings.Mode == RemoteCacheMode.ReadOnly)
        {
            return "not uploaded (read-only remote cache)";
        }

        if ((_unavailable ?? _uploadsRefused) is { } why)
        {
            return $"not uploaded ({why})";
        }

        try
        {
            var files = CacheEntryDigest.Read(entryPath, out var problem)
                ?? throw new InvalidOperationException($"The published cache entry '{entryPath}' has no readable digest: {problem}");
            long before = _client.BytesUp;
            var folder = Path.GetDirectoryName(entryPath)!;
            var action = RemoteEntry.Describe(entryPath, files, production);
            foreach (var output in action.OutputFiles)
            {
                if (_damagedBlobs.Contains(output.Digest.Hash) || !_client.HasBlobAsync(output.Digest.Hash, cancellation).GetAwaiter().GetResult())
                {
                    var local = Path.Combine(folder, RemoteEntry.LocalName(key, output.Path));
                    _client.PutBlobAsync(local, output.Digest, cancellation).GetAwaiter().GetResult();
                }
            }

            // Only now, with every file in place, does the entry become visible to other machines.
            _client.PutActionAsync(key, action.ToByteArray(), cancellation).GetAwaiter().GetResult();
            _claims.Release(key);
            _uploaded++;
            return $"uploaded ({Sizes.Bytes(_client.BytesUp - before)})";
        }
        catch (RemoteCacheException ex)
        {
            Disable(ex, source, warn, upload: true);
            return $"not uploaded ({_uploadsRefused ?? "remote cache unavailable"})";
        }
        catch (IOException ex)
        {
            warn(new Diagnostic(ErrorCodes.RemoteCacheUnavailable, source, $"The cache entry {key[..12]} could not be uploaded to {_settings.Display}: {ex.Message}. The build is not affected."));
            return "not uploaded (local read failed)";
        }
    }

    /// <summary>Uploads a local hit the server lacks (a cache folder that predates the remote, or a failed upload earlier).</summary>
    public string? PublishIfMissing(string key, string entryPath, string source, Action<Diagnostic> warn, CancellationToken cancellation)
    {
        if (_settings.Mode != RemoteCacheMode.ReadWrite || _unavailable is not null || _uploadsRefused is not null)
        {
            return null;
        }

        try
        {
            return _client.GetActionAsync(key, cancellation).GetAwaiter().GetResult() is null
                ? Publish(key, entryPath, TimeSpan.Zero, source, warn, cancellation)
                : null;
        }
        catch (RemoteCacheException ex)
        {
            Disable(ex, source, warn);
            return null;
        }
    }

    /// <summary>Production failed: tell the machines waiting for this key to stop waiting.</summary>
    public void Abandon(string key)
    {
        if (_unavailable is not null)
        {
            return;
        }

        try
        {
            _claims.AbandonAsync(key, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (RemoteCacheException)
        {
            // The claim then expires by age; the build's own failure is what gets reported.
        }
    }

    /// <summary>The run's totals, for the worker's last line; null when the server was never asked.</summary>
    public string? Summary()
    {
        if (_hits + _misses + _uploaded == 0 && _unavailable is null)
        {
            return null;
        }

        var line = string.Create(CultureInfo.InvariantCulture,
            $"Quantize.Build: remote cache {_settings.Display} ({_settings.Mode}): {_hits} hit(s), {_misses} miss(es), {_uploaded} uploaded; {Sizes.Bytes(_client.BytesDown)} down, {Sizes.Bytes(_client.BytesUp)} up");
        if (_saved > TimeSpan.Zero)
        {
            line += $"; about {Sizes.Duration(_saved)} of quantization saved";
        }

        return _unavailable is null ? line : line + $"; unavailable: {_unavailable}";
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    /// <summary>Downloads every file of <paramref name="action"/>; false when the server lacks one. Nothing is left behind unless all verify.</summary>
    private bool Download(ActionResult action, string key, string entryPath, string temporaryModel, long limit, out TimeSpan? production, CancellationToken cancellation)
    {
        production = RemoteEntry.Production(action);
        var files = RemoteEntry.Files(action, key);
        if (files.Sum(f => f.Digest.SizeBytes) is var total && total > limit)
        {
            // A server must not be able to make a build download without bound: no precision makes a model larger.
            throw new InvalidDataException($"its files hold {Sizes.Bytes(total)}, more than an entry for this model can ({Sizes.Bytes(limit)})");
        }

        var folder = Path.GetDirectoryName(entryPath)!;
        var modelName = Path.GetFileName(entryPath);
        var staged = new List<(string Temporary, string? Final)>();
        try
        {
            foreach (var (name, digest) in files)
            {
                // The model's external-data files (<key>.onnx.data) go beside the staged model, where the model finds
                // them and from where the local cache publishes them with it; the other side files take their places here.
                bool modelData = name.StartsWith(modelName + ".", StringComparison.Ordinal);
                var target = name == modelName ? temporaryModel
                    : modelData ? Path.Combine(Path.GetDirectoryName(temporaryModel)!, name)
                    : Path.Combine(folder, $"{name}.{Core.Safety.StaleStaging.OwnerTag()}.tmp");
                staged.Add((target, name == modelName || modelData ? null : Path.Combine(folder, name)));
                if (!_client.DownloadBlobAsync(digest, target, cancellation).GetAwaiter().GetResult())
                {
                    return false;
                }
            }

            // Every file verified: the side files take their places; the model and its data are published by the local cache.
            foreach (var (temporary, final) in staged.Where(s => s.Final is not null))
            {
                File.Move(temporary, final!, overwrite: true);
            }

            staged.Clear();
            return true;
        }
        finally
        {
            foreach (var (temporary, _) in staged.Where(s => s.Temporary != temporaryModel))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>The most an entry for <paramref name="source"/> may hold: twice the float model with its external data, plus room for the report.</summary>
    private static long EntryLimit(string source) =>
        (2 * (new FileInfo(source).Length + Core.Onnx.ExternalData.Vet(source).Sum(f => new FileInfo(f).Length))) + (64L << 20);

    private RemoteFetch Rejected(string key, string source, Action<Diagnostic> warn, Exception ex)
    {
        _misses++;
        warn(new Diagnostic(ErrorCodes.RemoteEntryRejected, source,
            $"The remote cache entry {key[..12]} at {_settings.Display} was rejected: {ex.Message}. Nothing of it is used; the model is quantized here."));
        return RemoteFetch.Miss("remote entry rejected");
    }

    private void Disable(RemoteCacheException ex, string source, Action<Diagnostic> warn, bool upload = false)
    {
        bool first = _unavailable is null && _uploadsRefused is null;
        if (upload && ex.Refused)
        {
            _uploadsRefused = "uploads refused";
        }
        else
        {
            _unavailable = ex.Message;
        }

        if (first)
        {
            warn(new Diagnostic(ErrorCodes.RemoteCacheUnavailable, source,
                $"The remote cache {_settings.Display} {(upload ? "did not take an upload" : "is unavailable")}: {ex.Message}. This build {(upload && ex.Refused ? "uploads nothing more" : "uses the local cache only")}; nothing else is affected."));
        }
    }
}

/// <summary>What <see cref="RemoteCache.Fetch"/> did: a hit, or why not, in the words of the build line.</summary>
internal sealed record RemoteFetch(bool IsHit, string Note)
{
    public static RemoteFetch Hit(string note) => new(true, note);

    public static RemoteFetch Miss(string note) => new(false, note);
}
