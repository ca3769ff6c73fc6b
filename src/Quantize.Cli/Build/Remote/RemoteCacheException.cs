namespace Quantize.Cli.Build.Remote;

/// <summary>
/// The remote cache could not serve a request: the server is unreachable, timed out, answered with an error after
/// the retries, or refused the credential. The build goes on with the local cache; the caller warns once.
/// </summary>
internal sealed class RemoteCacheException(string message, bool refused = false, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The server answered 401 or 403: the credential is missing, wrong or not allowed to do this.</summary>
    public bool Refused { get; } = refused;
}

/// <summary>A downloaded blob's length or SHA-256 is not its digest's: it is discarded and never used.</summary>
internal sealed class RemoteBlobMismatchException(string hash, string message) : Exception(message)
{
    /// <summary>The digest's hash: the server's copy under it is damaged.</summary>
    public string Hash { get; } = hash;
}

/// <summary>A failure worth another attempt (a timeout, a 5xx, a dropped connection); only the retry strategy sees it.</summary>
internal sealed class TransientRemoteException(string message, Exception? inner = null) : Exception(message, inner);
