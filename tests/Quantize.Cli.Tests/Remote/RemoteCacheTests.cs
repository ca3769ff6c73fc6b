using Google.Protobuf;
using Quantize.Cli.Build.Remote;
using Quantize.Cli.Build.Remote.Protocol;
using Quantize.Core.Diagnostics;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests.Remote;

/// <summary>The remote cache's decisions against a scripted server: what it refuses before downloading anything.</summary>
public sealed class RemoteCacheTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("quantize-remote-cache-").FullName;

    [Fact]
    public void An_entry_larger_than_any_entry_for_the_model_is_rejected_without_downloading_it()
    {
        var key = new string('a', 64);
        var action = new ActionResult();
        action.OutputFiles.Add(new OutputFile { Path = "entry.onnx", Digest = new Digest { Hash = new string('b', 64), SizeBytes = 1L << 40 } });
        var entry = action.ToByteArray();
        using var server = new ScriptedHttpServer((request, _, stream) =>
            request.Path == $"/ac/{key}" ? ScriptedHttpServer.Answer(stream, 200, entry) : ScriptedHttpServer.Answer(stream, 404));
        var source = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        using var remote = new RemoteCache(new RemoteCacheSettings(server.Url, RemoteCacheMode.ReadOnly, "QUANTIZE_TEST_NONE", "Bearer", TimeSpan.FromSeconds(5)));
        var warnings = new List<Diagnostic>();

        var fetched = remote.Fetch(key, Path.Combine(_folder, "aa", key + ".onnx"), Path.Combine(_folder, "model.tmp"), source, warnings.Add, CancellationToken.None);

        Assert.False(fetched.IsHit);
        Assert.Equal("remote entry rejected", fetched.Note);
        var warning = Assert.Single(warnings);
        Assert.Equal(ErrorCodes.RemoteEntryRejected, warning.Code);
        Assert.Contains("more than an entry for this model can", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path.StartsWith("/cas/", StringComparison.Ordinal));
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
