using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Quantize.Testing;

/// <summary>
/// A real HTTP cache server for the remote-cache tests: Debian's nginx (installed on first use, see
/// <see cref="DebianPackages"/>) with its WebDAV module taking <c>PUT</c> and serving <c>GET</c>/<c>HEAD</c> from a
/// temporary folder, bound to 127.0.0.1 on a free port with a generated configuration, optionally requiring a
/// bearer token per role. Every request is logged (method, path, status; never the credential) for the tests to inspect.
/// </summary>
public sealed class WebDavServer : IDisposable
{
    private const string Package = "nginx-light";
    private const string DefaultExecutable = "/usr/sbin/nginx";

    private readonly string _root;
    private readonly string _config;
    private Process? _process;

    private WebDavServer(string root, int port, string? writeToken, string? readToken)
    {
        _root = root;
        Port = port;
        Directory.CreateDirectory(DataDirectory);
        Directory.CreateDirectory(Path.Combine(root, "temp"));
        // The role-per-token configuration docs/remote-cache.md recommends: a write token may PUT, GET and HEAD; a
        // read token only GET and HEAD; anything else is refused.
        var roles = writeToken is null ? "" : $$"""
              map_hash_bucket_size 128;
              map $http_authorization $quantize_role {
                "Bearer {{writeToken}}" write;
                "Bearer {{readToken ?? writeToken}}" {{(readToken is null ? "write" : "read")}};
                default none;
              }
              map "$quantize_role:$request_method" $quantize_denied {
                "write:PUT" 0; "write:GET" 0; "write:HEAD" 0;
                "read:GET" 0; "read:HEAD" 0;
                default 1;
              }
            """;
        var check = writeToken is null ? "" : "      if ($quantize_denied) { return 401; }";
        _config = Path.Combine(root, "nginx.conf");
        File.WriteAllText(_config, $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{root}}/nginx.pid;
            error_log {{root}}/error.log warn;
            events { worker_connections 512; }
            http {
              log_format requests '$request_method $uri $status $body_bytes_sent';
              access_log {{AccessLog}} requests;
              client_body_temp_path {{root}}/temp/body;
              proxy_temp_path {{root}}/temp/proxy;
              fastcgi_temp_path {{root}}/temp/fastcgi;
              uwsgi_temp_path {{root}}/temp/uwsgi;
              scgi_temp_path {{root}}/temp/scgi;
              client_max_body_size 0;
            {{roles}}
              server {
                listen 127.0.0.1:{{port}};
                root {{DataDirectory}};
                location /cache/ {
            {{check}}
                  dav_methods PUT;
                  create_full_put_path on;
                  dav_access user:rw;
                }
              }
            }
            """);
    }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The base URL to give <c>QuantizeRemoteCache</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}/cache";

    /// <summary>Where the server stores what is PUT: <c>cache/cas/&lt;sha256&gt;</c> and <c>cache/ac/&lt;key&gt;</c> under it.</summary>
    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>The blobs the server holds.</summary>
    public string CasDirectory => Path.Combine(DataDirectory, "cache", "cas");

    /// <summary>The action entries the server holds.</summary>
    public string AcDirectory => Path.Combine(DataDirectory, "cache", "ac");

    private string AccessLog => Path.Combine(_root, "access.log");

    /// <summary>
    /// Starts a server in a fresh temporary folder. With <paramref name="writeToken"/> every request must carry a
    /// bearer token: that one may write, <paramref name="readToken"/> may only read.
    /// </summary>
    public static WebDavServer Start(string? writeToken = null, string? readToken = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "quantize-webdav-" + Guid.NewGuid().ToString("N")[..12]);
        var server = new WebDavServer(root, FreePort(), writeToken, readToken);
        server.Resume();
        return server;
    }

    /// <summary>Starts (again) the nginx process on the same port and data.</summary>
    public void Resume()
    {
        var (nginx, _) = DebianPackages.EnsureInstalled(Package, DefaultExecutable, "The remote-cache tests need an HTTP server with WebDAV (nginx)", "PATH to one");
        var start = new ProcessStartInfo(nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-p", _root, "-e", Path.Combine(_root, "error.log"), "-c", _config })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (!Accepts())
        {
            if (_process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                var log = File.Exists(Path.Combine(_root, "error.log")) ? File.ReadAllText(Path.Combine(_root, "error.log")) : "(no error log)";
                Stop();
                throw new InvalidOperationException($"nginx did not start listening on 127.0.0.1:{Port}:\n{log}");
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Stops the server (connections are then refused); <see cref="Resume"/> starts it again.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Every request served so far, in order.</summary>
    public IReadOnlyList<ServedRequest> Requests() =>
        !File.Exists(AccessLog) ? [] : [.. File.ReadAllLines(AccessLog).Select(l => l.Split(' ')).Where(p => p.Length == 4)
            .Select(p => new ServedRequest(p[0], p[1], int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture), long.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture)))];

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One request as the server logged it.</summary>
public sealed record ServedRequest(string Method, string Path, int Status, long BodyBytesSent);
