namespace Quantize.Cli.Build.Remote;

/// <summary>
/// How long the remote-cache client waits before it calls a request failed. Transfers of any size are allowed as
/// long as bytes keep flowing: the body has a stall limit, not a total limit.
/// </summary>
/// <param name="Connect">Establishing the TCP (and TLS) connection.</param>
/// <param name="Response">From sending a request (an upload's body included at <paramref name="MinimumUploadBytesPerSecond"/>) to the response headers.</param>
/// <param name="Stall">Between two reads of a response body that deliver bytes.</param>
/// <param name="Retries">Further attempts after a transient failure, with exponential backoff from <paramref name="FirstBackoff"/>.</param>
/// <param name="FirstBackoff">The delay before the first retry.</param>
/// <param name="MinimumUploadBytesPerSecond">The slowest upload rate tolerated before an upload counts as timed out.</param>
internal sealed record RemoteTimeouts(
    TimeSpan Connect,
    TimeSpan Response,
    TimeSpan Stall,
    int Retries,
    TimeSpan FirstBackoff,
    long MinimumUploadBytesPerSecond)
{
    /// <summary>What builds use: a few seconds to connect, half a minute for a response or a stalled body, two retries.</summary>
    public static RemoteTimeouts Default { get; } = new(
        Connect: TimeSpan.FromSeconds(5),
        Response: TimeSpan.FromSeconds(30),
        Stall: TimeSpan.FromSeconds(30),
        Retries: 2,
        FirstBackoff: TimeSpan.FromMilliseconds(250),
        MinimumUploadBytesPerSecond: 1 << 20);

    /// <summary>The time an upload of <paramref name="bytes"/> may take before its response.</summary>
    public TimeSpan UploadLimit(long bytes) => Response + TimeSpan.FromSeconds((double)bytes / MinimumUploadBytesPerSecond);
}
