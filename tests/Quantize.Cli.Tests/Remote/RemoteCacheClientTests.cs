using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Quantize.Cli.Build.Remote;
using Quantize.Cli.Build.Remote.Protocol;

namespace Quantize.Cli.Tests.Remote;

/// <summary>
/// The remote-cache client's error paths against a scripted loopback server: what is transient is retried and then
/// reported as the cache being unavailable; what is wrong is never written as a good file; a refusal is not retried.
/// </summary>
public sealed class RemoteCacheClientTests : IDisposable
{
    /// <summary>For the tests whose subject is a timeout: short enough to keep them quick.</summary>
    private static readonly RemoteTimeouts Fast = new(
        Connect: TimeSpan.FromSeconds(2),
        Response: TimeSpan.FromMilliseconds(500),
        Stall: TimeSpan.FromMilliseconds(500),
        Retries: 2,
        FirstBackoff: TimeSpan.FromMilliseconds(10),
        MinimumUploadBytesPerSecond: 1 << 20);

    /// <summary>
    /// For every other test: a loaded 2-core CI machine can take over 500 ms to answer, and a timeout there
    /// would add a retry the test counts.
    /// </summary>
    private static readonly RemoteTimeouts Patient = Fast with { Response = TimeSpan.FromSeconds(15), Stall = TimeSpan.FromSeconds(15) };

    private static readonly byte[] Blob = [.. Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31 % 251))];

    private readonly string _folder = Directory.CreateTempSubdirectory("quantize-remote-client-").FullName;

    private static Digest BlobDigest => new() { Hash = Convert.ToHexString(SHA256.HashData(Blob)).ToLowerInvariant(), SizeBytes = Blob.Length };

    private string Target => Path.Combine(_folder, "blob.tmp");

    [Fact]
    public async Task Five_hundreds_are_retried_with_backoff_and_a_later_success_is_used()
    {
        using var server = new ScriptedHttpServer((_, n, s) => n < 2 ? ScriptedHttpServer.Answer(s, 503) : ScriptedHttpServer.Answer(s, 200, Blob));
        using var client = Client(server);

        Assert.True(await client.DownloadBlobAsync(BlobDigest, Target, CancellationToken.None));

        Assert.Equal(Blob, File.ReadAllBytes(Target));
        Assert.Equal(3, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal($"/cas/{BlobDigest.Hash}", r.Path));
    }

    [Fact]
    public async Task A_server_that_keeps_failing_is_reported_unavailable_after_the_retries()
    {
        using var server = new ScriptedHttpServer((_, _, s) => ScriptedHttpServer.Answer(s, 500));
        using var client = Client(server);

        var failure = await Assert.ThrowsAsync<RemoteCacheException>(() => client.GetActionAsync(new string('a', 64), CancellationToken.None));

        Assert.Contains("500", failure.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempt(s)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.Requests.Count);
        Assert.False(failure.Refused);
    }

    [Fact]
    public async Task No_response_within_the_limit_is_a_timeout_not_a_hang()
    {
        using var server = new ScriptedHttpServer(async (_, _, _) => await Task.Delay(TimeSpan.FromSeconds(10)));
        using var client = Client(server, Fast);

        var failure = await Assert.ThrowsAsync<RemoteCacheException>(() => client.HasBlobAsync(BlobDigest.Hash, CancellationToken.None));

        Assert.Contains("no response within 0.5 s", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_body_that_stalls_is_abandoned_and_fetched_again()
    {
        using var server = new ScriptedHttpServer(async (_, n, s) =>
        {
            if (n == 0)
            {
                await s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Blob.Length}\r\n\r\n"));
                await s.WriteAsync(Blob.AsMemory(0, 1000));
                await s.FlushAsync();
                // Holds the connection open longer than the test's own deadline: only the stall limit ends this attempt.
                await Task.Delay(TimeSpan.FromSeconds(60));
                return;
            }

            await ScriptedHttpServer.Answer(s, 200, Blob);
        });
        using var client = Client(server, Fast);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        Assert.True(await client.DownloadBlobAsync(BlobDigest, Target, deadline.Token));

        Assert.Equal(Blob, File.ReadAllBytes(Target));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_body_always_cut_short_fails_and_leaves_no_file()
    {
        using var server = new ScriptedHttpServer(async (_, _, s) =>
        {
            await s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Blob.Length}\r\nConnection: close\r\n\r\n"));
            await s.WriteAsync(Blob.AsMemory(0, Blob.Length / 2));
        });
        using var client = Client(server);

        var failure = await Assert.ThrowsAsync<RemoteCacheException>(() => client.DownloadBlobAsync(BlobDigest, Target, CancellationToken.None));

        Assert.Contains("cut short", failure.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Target));
        Assert.Equal(3, server.Requests.Count);
    }

    [Theory]
    [InlineData("altered")]
    [InlineData("shorter")]
    [InlineData("longer")]
    public async Task Content_that_is_not_the_digest_is_rejected_and_leaves_no_file(string damage)
    {
        var body = damage switch
        {
            "altered" => [.. Blob.Select((b, i) => i == 1234 ? (byte)(b ^ 1) : b)],
            "shorter" => Blob[..^1],
            _ => [.. Blob, 7],
        };
        using var server = new ScriptedHttpServer((_, _, s) => ScriptedHttpServer.Answer(s, 200, body));
        using var client = Client(server);

        var failure = await Assert.ThrowsAsync<RemoteBlobMismatchException>(() => client.DownloadBlobAsync(BlobDigest, Target, CancellationToken.None));

        Assert.Equal(BlobDigest.Hash, failure.Hash);
        Assert.False(File.Exists(Target));
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Missing_entries_and_blobs_are_misses_not_failures()
    {
        using var server = new ScriptedHttpServer((_, _, s) => ScriptedHttpServer.Answer(s, 404));
        using var client = Client(server);

        Assert.Null(await client.GetActionAsync(new string('b', 64), CancellationToken.None));
        Assert.False(await client.HasBlobAsync(BlobDigest.Hash, CancellationToken.None));
        Assert.False(await client.DownloadBlobAsync(BlobDigest, Target, CancellationToken.None));
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_refusal_is_not_retried_and_says_so()
    {
        using var server = new ScriptedHttpServer((_, _, s) => ScriptedHttpServer.Answer(s, 403));
        using var client = Client(server);

        var failure = await Assert.ThrowsAsync<RemoteCacheException>(() => client.PutActionAsync(new string('c', 64), [1, 2, 3], CancellationToken.None));

        Assert.True(failure.Refused);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_closed_port_is_unavailable()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new RemoteCacheClient(Settings(new Uri($"http://127.0.0.1:{port}/")), Fast);

        await Assert.ThrowsAsync<RemoteCacheException>(() => client.GetActionAsync(new string('d', 64), CancellationToken.None));
    }

    [Theory]
    [InlineData("Bearer", "tok-123", "Bearer tok-123")]
    [InlineData("Basic", "ci:pa:ss", "Basic Y2k6cGE6c3M=")]
    public async Task The_credential_comes_from_the_named_variable_and_uploads_stream_the_file(string scheme, string secret, string header)
    {
        var variable = "QUANTIZE_TEST_TOKEN_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            using var server = new ScriptedHttpServer((_, _, s) => ScriptedHttpServer.Answer(s, 201));
            var file = Path.Combine(_folder, "upload.bin");
            File.WriteAllBytes(file, Blob);
            using var client = new RemoteCacheClient(Settings(server.Url) with { TokenVariable = variable, AuthScheme = scheme }, Fast);

            await client.PutBlobAsync(file, BlobDigest, CancellationToken.None);

            var put = Assert.Single(server.Requests);
            Assert.Equal("PUT", put.Method);
            Assert.Equal(header, put.Headers["Authorization"]);
            Assert.Equal(Blob.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), put.Headers["Content-Length"]);
            Assert.Equal(Blob, put.Body);
            Assert.Equal(Blob.Length, client.BytesUp);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static RemoteCacheClient Client(ScriptedHttpServer server, RemoteTimeouts? timeouts = null) => new(Settings(server.Url), timeouts ?? Patient);

    private static RemoteCacheSettings Settings(Uri url) =>
        new(url, RemoteCacheMode.ReadWrite, "QUANTIZE_TEST_NO_SUCH_VARIABLE", "Bearer", TimeSpan.FromSeconds(5));
}
