using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Polly;
using Polly.Retry;
using Quantize.Cli.Build.Remote.Protocol;

namespace Quantize.Cli.Build.Remote;

/// <summary>
/// The HTTP cache protocol of bazel-remote, which any WebDAV server also speaks: blobs by content under
/// <c>/cas/&lt;sha256&gt;</c> and action entries by key under <c>/ac/&lt;key&gt;</c>, read with <c>GET</c>/<c>HEAD</c>
/// and written with <c>PUT</c>. Transfers stream between the network and files (a model is never held in memory),
/// every download is checked against its digest while it is written, and transient failures (no connection,
/// timeouts, 5xx, a body cut short) are retried with backoff by Polly's retry strategy.
/// </summary>
internal sealed class RemoteCacheClient : IDisposable
{
    /// <summary>Action entries are a few hundred bytes; anything far larger is not one of ours.</summary>
    private const int MaxActionBytes = 1 << 20;

    private const int BufferBytes = 1 << 20;

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly AuthenticationHeaderValue? _credential;
    private readonly RemoteTimeouts _timeouts;
    private readonly ResiliencePipeline _retry;

    /// <summary>Creates a client for <paramref name="settings"/> with <paramref name="timeouts"/> (the tests' are short).</summary>
    public RemoteCacheClient(RemoteCacheSettings settings, RemoteTimeouts timeouts)
    {
        _base = settings.BaseUrl;
        _credential = settings.Credential();
        _timeouts = timeouts;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = timeouts.Connect, AutomaticDecompression = DecompressionMethods.None })
        {
            // Limits are per request phase (RemoteTimeouts), not one total that a large model would exceed.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Quantize.Build", typeof(RemoteCacheClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        var builder = new ResiliencePipelineBuilder();
        if (timeouts.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientRemoteException>(),
                MaxRetryAttempts = timeouts.Retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = timeouts.FirstBackoff,
            });
        }

        _retry = builder.Build();
    }

    /// <summary>Bytes received in blob bodies so far.</summary>
    public long BytesDown { get; private set; }

    /// <summary>Bytes sent in blob bodies so far.</summary>
    public long BytesUp { get; private set; }

    /// <summary>The action entry stored under <paramref name="key"/>, or null when there is none (404).</summary>
    public async Task<byte[]?> GetActionAsync(string key, CancellationToken cancellation) =>
        await Run($"GET ac/{key}", async ct =>
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Address("ac", key)), _timeouts.Response, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            Require(response, "GET", "ac/" + key);
            using var body = new MemoryStream();
            await CopyAsync(response, body, MaxActionBytes, null, ct);
            return body.ToArray();
        }, cancellation);

    /// <summary>Whether the CAS holds the blob with this hash.</summary>
    public async Task<bool> HasBlobAsync(string sha256, CancellationToken cancellation) =>
        await Run($"HEAD cas/{sha256}", async ct =>
        {
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, Address("cas", sha256)), _timeouts.Response, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            Require(response, "HEAD", "cas/" + sha256);
            return true;
        }, cancellation);

    /// <summary>
    /// Streams the blob <paramref name="digest"/> into <paramref name="path"/> and checks its length and SHA-256 as it
    /// arrives. Returns false when the server does not have it (404). A body that differs from the digest throws
    /// <see cref="RemoteBlobMismatchException"/>; <paramref name="path"/> is then deleted.
    /// </summary>
    public async Task<bool> DownloadBlobAsync(Digest digest, string path, CancellationToken cancellation)
    {
        try
        {
            return await Run($"GET cas/{digest.Hash}", async ct =>
            {
                using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Address("cas", digest.Hash)), _timeouts.Response, ct);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }

                Require(response, "GET", "cas/" + digest.Hash);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                long received;
                await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferBytes, FileOptions.Asynchronous))
                {
                    // One byte past the digest's length is enough to know the body is not the blob.
                    received = await CopyAsync(response, file, digest.SizeBytes + 1, hash, ct);
                }

                BytesDown += received;
                var sha = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
                if (received != digest.SizeBytes || sha != digest.Hash)
                {
                    throw new RemoteBlobMismatchException(digest.Hash, received != digest.SizeBytes
                        ? $"the blob cas/{digest.Hash[..12]}… has {(received > digest.SizeBytes ? "more than " : "")}{received} bytes, its digest says {digest.SizeBytes}"
                        : $"the blob cas/{digest.Hash[..12]}… has SHA-256 {sha[..12]}…");
                }

                return true;
            }, cancellation);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Uploads the file at <paramref name="path"/> as the blob <paramref name="digest"/>, streamed from disk.</summary>
    public Task PutBlobAsync(string path, Digest digest, CancellationToken cancellation) =>
        Run($"PUT cas/{digest.Hash}", async ct =>
        {
            using var response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Put, Address("cas", digest.Hash))
                {
                    Content = new StreamContent(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferBytes, FileOptions.Asynchronous | FileOptions.SequentialScan), BufferBytes)
                    {
                        Headers = { ContentLength = digest.SizeBytes, ContentType = new MediaTypeHeaderValue("application/octet-stream") },
                    },
                },
                _timeouts.UploadLimit(digest.SizeBytes),
                ct);
            Require(response, "PUT", "cas/" + digest.Hash);
            BytesUp += digest.SizeBytes;
            return true;
        }, cancellation);

    /// <summary>Stores <paramref name="action"/> (an encoded ActionResult) under <paramref name="key"/>.</summary>
    public Task PutActionAsync(string key, byte[] action, CancellationToken cancellation) =>
        Run($"PUT ac/{key}", async ct =>
        {
            using var response = await SendAsync(
                () => new HttpRequestMessage(HttpMethod.Put, Address("ac", key))
                {
                    Content = new ByteArrayContent(action) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
                },
                _timeouts.Response,
                ct);
            Require(response, "PUT", "ac/" + key);
            return true;
        }, cancellation);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private Uri Address(string store, string hash) => new(_base, store + "/" + hash);

    /// <summary>Runs one operation under the retry strategy; what is still transient after the retries becomes a <see cref="RemoteCacheException"/>.</summary>
    private async Task<T> Run<T>(string operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellation)
    {
        try
        {
            return await _retry.ExecuteAsync(async ct => await attempt(ct), cancellation);
        }
        catch (TransientRemoteException ex)
        {
            throw new RemoteCacheException($"{operation} failed after {_timeouts.Retries + 1} attempt(s): {ex.Message}", inner: ex);
        }
    }

    /// <summary>Sends one request and waits up to <paramref name="limit"/> for its headers; classifies what went wrong.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, TimeSpan limit, CancellationToken cancellation)
    {
        using var request = create();
        request.Headers.Authorization = _credential;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(limit);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellation.IsCancellationRequested)
        {
            throw new TransientRemoteException($"no response within {limit.TotalSeconds:0.#} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientRemoteException(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message, ex);
        }

        int status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            response.Dispose();
            throw new TransientRemoteException($"the server answered {status} {response.ReasonPhrase}");
        }

        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            response.Dispose();
            throw new RemoteCacheException($"{request.Method} {request.RequestUri!.AbsolutePath} was refused ({status} {response.ReasonPhrase}): check the credential", refused: true);
        }

        return response;
    }

    private static void Require(HttpResponseMessage response, string method, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new RemoteCacheException($"{method} {what}: the server answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    /// <summary>
    /// Copies a response body into <paramref name="target"/>, up to <paramref name="limit"/> bytes, hashing it on the
    /// way; each read must deliver within the stall limit. A body cut short or stalled is transient (retried).
    /// </summary>
    private async Task<long> CopyAsync(HttpResponseMessage response, Stream target, long limit, IncrementalHash? hash, CancellationToken cancellation)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellation);
            long total = 0;
            while (total < limit)
            {
                stall.CancelAfter(_timeouts.Stall);
                int read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), stall.Token);
                if (read == 0)
                {
                    break;
                }

                hash?.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellation);
                total += read;
            }

            return total;
        }
        catch (OperationCanceledException ex) when (!cancellation.IsCancellationRequested)
        {
            throw new TransientRemoteException($"the body stalled (no bytes for {_timeouts.Stall.TotalSeconds:0.#} s)", ex);
        }
        catch (IOException ex)
        {
            throw new TransientRemoteException($"the body was cut short ({ex.Message})", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
