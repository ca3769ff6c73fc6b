using System.CommandLine;
using Quantize.Cli.Build;
using Quantize.Cli.Build.Remote;
using Quantize.Core.Diagnostics;

namespace Quantize.Cli.Commands;

/// <summary>
/// <c>--remote-cache URL</c> and its companions: the build's <c>QuantizeRemoteCache*</c> properties on the command
/// line, read by the same parser (<see cref="RemoteCacheSettings.From"/>) so both front doors accept the same values.
/// </summary>
internal sealed class RemoteCacheCommandOptions
{
    private readonly Option<string> _url = new("--remote-cache")
    {
        Description = "A shared HTTP cache (bazel-remote or WebDAV; docs/remote-cache.md): use an entry another machine made, "
            + "else quantize and upload the result.",
        HelpName = "url",
    };

    private readonly Option<string> _mode = new("--remote-cache-mode")
    {
        Description = "ReadWrite (default) or ReadOnly (use entries, upload nothing: untrusted builds).",
        HelpName = "mode",
    };

    private readonly Option<string> _tokenVariable = new("--remote-cache-token-variable")
    {
        Description = $"The environment variable holding the credential (default {RemoteCacheSettings.DefaultTokenVariable}); the value is never printed.",
        HelpName = "name",
    };

    private readonly Option<string> _authScheme = new("--remote-cache-auth")
    {
        Description = "Bearer (default: the variable holds a token) or Basic (it holds user:password).",
        HelpName = "scheme",
    };

    /// <summary>Every option, for the command to add.</summary>
    public IEnumerable<Option> All => [_url, _mode, _tokenVariable, _authScheme];

    /// <summary>The settings asked for, or null without <c>--remote-cache</c>; a bad value is QNT0009 on <paramref name="input"/>.</summary>
    public RemoteCacheSettings? ToSettings(ParseResult parseResult, string input)
    {
        // Messages name the options as typed here, not the build's property names.
        var spellings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["QuantizeRemoteCache"] = _url.Name,
            ["QuantizeRemoteCacheMode"] = _mode.Name,
            ["QuantizeRemoteCacheTokenVariable"] = _tokenVariable.Name,
            ["QuantizeRemoteCacheAuthScheme"] = _authScheme.Name,
        };
        try
        {
            return RemoteCacheSettings.From(
                new BuildRemoteCacheRequest
                {
                    Url = parseResult.GetValue(_url) ?? "",
                    Mode = parseResult.GetValue(_mode) ?? "",
                    TokenVariable = parseResult.GetValue(_tokenVariable) ?? "",
                    AuthScheme = parseResult.GetValue(_authScheme) ?? "",
                },
                name => spellings.GetValueOrDefault(name, name));
        }
        catch (ArgumentException ex)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, input, ex.Message, ex);
        }
    }
}
