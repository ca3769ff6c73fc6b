namespace Quantize.Cli.Build.Remote;

/// <summary>Whether a build reads the remote cache, and whether it also writes to it.</summary>
internal enum RemoteCacheMode
{
    /// <summary>Not used.</summary>
    Off,

    /// <summary>Hits are used; nothing is uploaded (untrusted pull-request builds).</summary>
    ReadOnly,

    /// <summary>Hits are used and what this build quantizes is uploaded (trusted builds of the main branch).</summary>
    ReadWrite,
}

/// <summary>How the worker reaches the shared HTTP cache (docs/remote-cache.md), as the project's properties set it.</summary>
/// <param name="BaseUrl">The server's base URL; <c>/cas/</c> and <c>/ac/</c> are under it.</param>
/// <param name="Mode">Read and write, read only, or off.</param>
/// <param name="TokenVariable">The environment variable holding the credential; its value is read by the worker and never written anywhere.</param>
/// <param name="AuthScheme"><c>Bearer</c> (the variable holds a token) or <c>Basic</c> (it holds <c>user:password</c>).</param>
/// <param name="ClaimTimeout">How long a build waits for another machine that announced it is quantizing the same model.</param>
internal sealed record RemoteCacheSettings(Uri BaseUrl, RemoteCacheMode Mode, string TokenVariable, string AuthScheme, TimeSpan ClaimTimeout)
{
    /// <summary>The variable the credential is read from unless the project names another.</summary>
    public const string DefaultTokenVariable = "QUANTIZE_REMOTE_CACHE_TOKEN";

    /// <summary>Ten minutes: longer than quantizing and checking a model of a few hundred MB on a build agent.</summary>
    public static readonly TimeSpan DefaultClaimTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The settings of a request, or null when no remote cache is configured or it is off. Throws
    /// <see cref="ArgumentException"/> with a message naming the property for a value that is not valid.
    /// </summary>
    /// <param name="request">The values as written.</param>
    /// <param name="spell">How messages name a setting, given its property name (the CLI passes its option names); the property name itself when null.</param>
    public static RemoteCacheSettings? From(BuildRemoteCacheRequest? request, Func<string, string>? spell = null)
    {
        spell ??= name => name;
        if (request is null || string.IsNullOrWhiteSpace(request.Url))
        {
            return null;
        }

        var mode = request.Mode.Trim() switch
        {
            "" or "ReadWrite" => RemoteCacheMode.ReadWrite,
            "ReadOnly" => RemoteCacheMode.ReadOnly,
            "Off" => RemoteCacheMode.Off,
            var other => throw new ArgumentException($"{spell("QuantizeRemoteCacheMode")} '{other}' is not one of ReadWrite, ReadOnly, Off."),
        };
        if (mode == RemoteCacheMode.Off)
        {
            return null;
        }

        var text = request.Url.Trim();
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{spell("QuantizeRemoteCache")} '{Redact(text)}' is not an absolute http:// or https:// URL.");
        }

        if (url.UserInfo.Length > 0)
        {
            throw new ArgumentException($"{spell("QuantizeRemoteCache")} '{Redact(text)}' carries credentials; put them in the environment variable {TokenVariableOf(request)} instead, where no log or file shows them.");
        }

        var scheme = request.AuthScheme.Trim() switch
        {
            "" or "Bearer" => "Bearer",
            "Basic" => "Basic",
            var other => throw new ArgumentException($"{spell("QuantizeRemoteCacheAuthScheme")} '{other}' is not Bearer or Basic."),
        };
        var timeout = request.ClaimTimeout.Trim() switch
        {
            "" => DefaultClaimTimeout,
            var digits when int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 => TimeSpan.FromSeconds(seconds),
            var other => throw new ArgumentException($"{spell("QuantizeRemoteCacheClaimTimeout")} '{other}' is not a whole number of seconds above 0."),
        };
        return new RemoteCacheSettings(url, mode, TokenVariableOf(request), scheme, timeout);
    }

    /// <summary>The URL as messages show it: scheme, host, port and path, never user information or a query.</summary>
    public string Display => BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>The <c>Authorization</c> header's value, or null when the variable is unset or empty.</summary>
    public System.Net.Http.Headers.AuthenticationHeaderValue? Credential()
    {
        var secret = Environment.GetEnvironmentVariable(TokenVariable);
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        return AuthScheme == "Basic"
            ? new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret)))
            : new("Bearer", secret);
    }

    private static string TokenVariableOf(BuildRemoteCacheRequest request) =>
        string.IsNullOrWhiteSpace(request.TokenVariable) ? DefaultTokenVariable : request.TokenVariable.Trim();

    private static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.UserInfo.Length > 0 ? url.Replace(parsed.UserInfo + "@", "***@", StringComparison.Ordinal) : url;
}
