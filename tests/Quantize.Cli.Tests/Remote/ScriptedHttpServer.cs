using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Quantize.Cli.Tests.Remote;

/// <summary>
/// A loopback HTTP/1.1 server whose every answer is scripted byte by byte, so the remote-cache client can be shown
/// the failures a real network produces: no answer, 5xx, a body that stalls or is cut short, wrong content.
/// Each connection serves one request and is closed.
/// </summary>
internal sealed class ScriptedHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<ScriptedRequest, int, NetworkStream, Task> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ScriptedRequest> _requests = [];
    private readonly Task _loop;

    /// <summary>Starts serving; <paramref name="respond"/> gets each request, its 0-based number and the connection to write the answer to.</summary>
    public ScriptedHttpServer(Func<ScriptedRequest, int, NetworkStream, Task> respond)
    {
        _respond = respond;
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    /// <summary>The base URL of the cache.</summary>
    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>The requests received so far.</summary>
    public IReadOnlyList<ScriptedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Writes a complete response with <paramref name="body"/>.</summary>
    public static async Task Answer(NetworkStream stream, int status, byte[]? body = null, long? contentLength = null)
    {
        body ??= [];
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Scripted\r\nContent-Length: {contentLength ?? body.Length}\r\nConnection: close\r\n\r\n"));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends by cancellation.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        int number = 0;
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            int index = number++;
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var request = await ReadRequestAsync(stream);
                    lock (_requests)
                    {
                        _requests.Add(request);
                    }

                    try
                    {
                        await _respond(request, index, stream);
                    }
                    catch (IOException)
                    {
                        // The client gave up first (a timeout under test).
                    }
                }
            });
        }
    }

    private static async Task<ScriptedRequest> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var parts = lines.Length > 0 ? lines[0].Split(' ') : ["", ""];
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = new byte[headers.TryGetValue("Content-Length", out var length) ? long.Parse(length, System.Globalization.CultureInfo.InvariantCulture) : 0];
        await stream.ReadExactlyAsync(body);
        return new ScriptedRequest(parts[0], parts[1], headers, body);
    }
}

/// <summary>One request as the scripted server read it.</summary>
internal sealed record ScriptedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);
