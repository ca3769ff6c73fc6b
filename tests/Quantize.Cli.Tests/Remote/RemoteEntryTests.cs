using Quantize.Cli.Build;
using Quantize.Cli.Build.Remote;
using Quantize.Cli.Build.Remote.Protocol;

namespace Quantize.Cli.Tests.Remote;

/// <summary>What a downloaded action entry may name, and how the project's remote-cache properties are read.</summary>
public sealed class RemoteEntryTests
{
    private static readonly string Key = new('e', 64);
    private static readonly string Hash = new('f', 64);

    [Fact]
    public void A_described_entry_reads_back_as_the_same_local_files()
    {
        var files = new List<CacheEntryDigest.FileDigest>
        {
            new(Key + ".onnx", 10, Hash),
            new(Key + ".warnings.json", 2, new string('1', 64)),
            new(Key + ".quantize-report.html", 3, new string('2', 64)),
        };
        var action = RemoteEntry.Describe(Path.Combine("cache", Key[..2], Key + ".onnx"), files, TimeSpan.FromSeconds(4));

        Assert.Equal(["entry.onnx", "entry.quantize-report.html", "entry.warnings.json"], action.OutputFiles.Select(f => f.Path));
        Assert.Equal(TimeSpan.FromSeconds(4), RemoteEntry.Production(action));
        Assert.Equal(
            files.Select(f => (f.Name, f.Sha256, f.Size)).Order(),
            RemoteEntry.Files(action, Key).Select(f => (f.FileName, f.Digest.Hash, f.Digest.SizeBytes)).Order());
    }

    [Theory]
    [InlineData("../entry.onnx")]
    [InlineData("entry.onnx/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/entry.onnx")]
    [InlineData("other.onnx")]
    [InlineData("entry..onnx")]
    [InlineData("entry")]
    [InlineData("entry.on\\nx")]
    public void A_crafted_file_name_is_refused(string path)
    {
        var action = Entry(("entry.onnx", Hash), (path, Hash));

        var refused = Assert.Throws<InvalidDataException>(() => RemoteEntry.Files(action, Key));
        Assert.Contains(path, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicates_missing_models_bad_digests_and_claims_are_refused()
    {
        Assert.Throws<InvalidDataException>(() => RemoteEntry.Files(Entry(("entry.onnx", Hash), ("ENTRY.ONNX", Hash)), Key));
        Assert.Throws<InvalidDataException>(() => RemoteEntry.Files(Entry(("entry.warnings.json", Hash)), Key));
        Assert.Throws<InvalidDataException>(() => RemoteEntry.Files(Entry(("entry.onnx", "ABC")), Key));
        var claim = Entry();
        claim.ExitCode = 75;
        Assert.Throws<InvalidDataException>(() => RemoteEntry.Files(claim, Key));
    }

    [Theory]
    [InlineData("http://cache:8080", "", "", "", "http://cache:8080", "ReadWrite")]
    [InlineData("https://cache.example/team/", "ReadOnly", "Basic", "60", "https://cache.example/team", "ReadOnly")]
    public void Valid_properties_are_read_with_their_defaults(string url, string mode, string scheme, string timeout, string display, string expected)
    {
        var settings = RemoteCacheSettings.From(new BuildRemoteCacheRequest { Url = url, Mode = mode, AuthScheme = scheme, ClaimTimeout = timeout })!;

        Assert.Equal(display, settings.Display);
        Assert.Equal(expected, settings.Mode.ToString());
        Assert.Equal(RemoteCacheSettings.DefaultTokenVariable, settings.TokenVariable);
        Assert.Equal(timeout == "" ? RemoteCacheSettings.DefaultClaimTimeout : TimeSpan.FromSeconds(60), settings.ClaimTimeout);
    }

    [Fact]
    public void No_url_or_mode_off_means_no_remote_cache()
    {
        Assert.Null(RemoteCacheSettings.From(null));
        Assert.Null(RemoteCacheSettings.From(new BuildRemoteCacheRequest { Url = " " }));
        Assert.Null(RemoteCacheSettings.From(new BuildRemoteCacheRequest { Url = "http://cache", Mode = "Off" }));
    }

    [Theory]
    [InlineData("http://cache", "Sometimes", "", "", "QuantizeRemoteCacheMode")]
    [InlineData("ftp://cache", "", "", "", "QuantizeRemoteCache ")]
    [InlineData("cache:8080/x", "", "", "", "QuantizeRemoteCache ")]
    [InlineData("http://cache", "", "Digest", "", "QuantizeRemoteCacheAuthScheme")]
    [InlineData("http://cache", "", "", "-5", "QuantizeRemoteCacheClaimTimeout")]
    public void Invalid_properties_are_refused_naming_the_property(string url, string mode, string scheme, string timeout, string property)
    {
        var refused = Assert.Throws<ArgumentException>(() => RemoteCacheSettings.From(new BuildRemoteCacheRequest { Url = url, Mode = mode, AuthScheme = scheme, ClaimTimeout = timeout }));
        Assert.StartsWith(property, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_in_the_url_are_refused_and_not_repeated()
    {
        var refused = Assert.Throws<ArgumentException>(() => RemoteCacheSettings.From(new BuildRemoteCacheRequest { Url = "https://ci:hunter2@cache.example/" }));
        Assert.DoesNotContain("hunter2", refused.Message, StringComparison.Ordinal);
        Assert.Contains(RemoteCacheSettings.DefaultTokenVariable, refused.Message, StringComparison.Ordinal);
    }

    private static ActionResult Entry(params (string Path, string Hash)[] files)
    {
        var action = new ActionResult();
        action.OutputFiles.AddRange(files.Select(f => new OutputFile { Path = f.Path, Digest = new Digest { Hash = f.Hash, SizeBytes = 1 } }));
        return action;
    }
}
