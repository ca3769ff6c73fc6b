using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Quantize.Cli.Build.Remote.Protocol;

namespace Quantize.Cli.Build.Remote;

/// <summary>
/// Keeps a fleet from quantizing one model on every machine at once. Before producing a key that the server lacks,
/// a read-write build stores a claim, an action entry under a second key derived from the first, saying "this
/// worker is producing it, since then". Another build that finds a live claim polls for the real entry instead of
/// producing, until the entry appears, the claim is abandoned (its producer failed), or the claim is older than the
/// claim timeout (its producer died). Two builds that claim in the same instant both see the last writer's claim
/// after a short settling delay, so at most the few that raced inside that delay produce the same model.
/// Claims are ordinary REAPI ActionResults (exit code 75, "temporary failure", and no files), so servers that
/// validate action entries accept them, and a reader that does not know claims sees an unusable result, never a model.
/// </summary>
internal sealed class RemoteClaims(RemoteCacheClient client, TimeSpan timeout, string owner)
{
    private const int InProgress = 75;
    private const int Abandoned = 1;

    /// <summary>Long enough for a competing claim's PUT to land before we re-read ours.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    /// <summary>
    /// Returns the entry for <paramref name="key"/> once another machine publishes it, or null when this worker should
    /// produce it (it now holds the claim, or nobody else's claim is live any more).
    /// </summary>
    public async Task<byte[]?> AwaitOrClaimAsync(string key, CancellationToken cancellation)
    {
        var claimKey = ClaimKey(key);
        var waiting = Stopwatch.StartNew();
        bool claimed = false;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var claim = Parse(await client.GetActionAsync(claimKey, cancellation));
            bool live = claim is { ExitCode: InProgress }
                && claim.ExecutionMetadata?.Worker != owner
                && DateTimeOffset.UtcNow - claim.ExecutionMetadata?.WorkerStartTimestamp?.ToDateTimeOffset() < timeout
                && waiting.Elapsed < timeout;
            if (!live)
            {
                if (claimed)
                {
                    return null;
                }

                await client.PutActionAsync(claimKey, Claim(InProgress), cancellation);
                _held.Add(key);
                claimed = true;
                await Task.Delay(Settle, cancellation);
                continue;
            }

            // Someone else's live claim (ours was overwritten, or theirs came first): wait for their entry.
            _held.Remove(key);
            claimed = false;
            if (await client.GetActionAsync(key, cancellation) is { } published)
            {
                return published;
            }

            await Task.Delay(Poll, cancellation);
        }
    }

    /// <summary>Marks a claim this worker holds as abandoned (production failed), so waiters stop waiting at once.</summary>
    public async Task AbandonAsync(string key, CancellationToken cancellation)
    {
        if (_held.Remove(key))
        {
            await client.PutActionAsync(ClaimKey(key), Claim(Abandoned), cancellation);
        }
    }

    /// <summary>Forgets the claim once the entry is published (the entry supersedes it; nothing to write).</summary>
    public void Release(string key) => _held.Remove(key);

    private byte[] Claim(int exitCode) => new ActionResult
    {
        ExitCode = exitCode,
        ExecutionMetadata = new ExecutedActionMetadata { Worker = owner, WorkerStartTimestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) },
    }.ToByteArray();

    private static ActionResult? Parse(byte[]? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return ActionResult.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            // Not a claim we can read: as good as none.
            return null;
        }
    }

    private static string ClaimKey(string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("quantize-claim\0" + key))).ToLowerInvariant();
}
