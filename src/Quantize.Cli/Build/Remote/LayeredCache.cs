using System.Diagnostics;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Build.Remote;

/// <summary>
/// The local cache folder with the remote cache behind it, the one order both front doors (the build worker and
/// <c>dotnet quantize --remote-cache</c>) use: a verified local entry, else under the key's local lock a remote hit,
/// else <c>produce</c>. A failed production abandons the remote claim so waiting machines stop waiting, and prints
/// the remote warnings gathered so far with it, since the caller never reaches its own printing.
/// </summary>
internal static class LayeredCache
{
    /// <summary>Finds or makes the entry for <paramref name="key"/>; <paramref name="warnings"/> collects cache and remote warnings on <paramref name="source"/>.</summary>
    public static LayeredLookup GetOrCreate(
        ModelCache cache, RemoteCache? remote, string key, string source, List<Diagnostic> warnings, TextWriter output, Action<string> produce, CancellationToken cancellation)
    {
        RemoteFetch? fetched = null;
        var production = new Stopwatch();
        var lookup = cache.GetOrCreate(
            key,
            temporary =>
            {
                fetched = remote?.Fetch(key, cache.EntryPath(key), temporary, source, warnings.Add, cancellation);
                if (fetched is { IsHit: true })
                {
                    return;
                }

                production.Start();
                try
                {
                    produce(temporary);
                }
                catch
                {
                    remote?.Abandon(key);
                    foreach (var warning in warnings)
                    {
                        output.WriteLine(warning.ToString());
                    }

                    throw;
                }

                production.Stop();
            },
            problem => warnings.Add(new Diagnostic(ErrorCodes.CacheEntryCorrupt, source, problem)),
            cancellation);
        return new LayeredLookup(lookup, fetched, production.Elapsed);
    }
}

/// <summary>What <see cref="LayeredCache.GetOrCreate"/> found or made.</summary>
/// <param name="Local">The local entry (reused, fetched or produced).</param>
/// <param name="Fetched">What the remote cache said, or null when it was not asked (no remote, or a local hit).</param>
/// <param name="Production">How long producing took; zero unless this process produced the entry.</param>
internal sealed record LayeredLookup(CacheLookup Local, RemoteFetch? Fetched, TimeSpan Production)
{
    /// <summary>The entry came from the remote cache.</summary>
    public bool RemoteHit => Fetched is { IsHit: true };
}
