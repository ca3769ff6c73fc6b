using Google.Protobuf;
using Quantize.Cli.Build;
using Quantize.Core;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;
using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// A build's cache entry is produced in the run's one staging folder: the cache stages it under the key's own name, the
/// checked run writes every attempt there in place (it does not stage again), and the cache's publish is the one commit
/// (model, its <c>&lt;key&gt;.onnx.data</c>, the digest).
/// </summary>
public sealed class CacheStagingTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("cache-staging");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_checked_run_into_the_cache_stages_once_and_publishes_model_data_and_digest()
    {
        var input = Path.Combine(_folder, "mlp.onnx");
        File.WriteAllBytes(input, TestModelCatalog.Mlp().ToByteArray());
        var validation = Directory.CreateDirectory(Path.Combine(_folder, "validation")).FullName;
        for (int i = 0; i < 4; i++)
        {
            var random = new Random(i);
            File.WriteAllBytes(Path.Combine(validation, $"{i}.npy"), NpyWriter.Floats([.. Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble() - 0.5f)], [1, 64]));
        }

        var cache = new ModelCache(Path.Combine(_folder, "cache"));
        var key = new string('a', 64);
        var shard = Path.GetDirectoryName(cache.EntryPath(key))!;
        var folderCounts = new List<int>();
        var progress = new Snapshot(() => folderCounts.Add(Directory.GetDirectories(shard, "*", SearchOption.AllDirectories).Length));

        var lookup = cache.GetOrCreate(key, staged => Quantizer.Run(new QuantizeJob
        {
            InputPath = input,
            OutputPath = staged,
            OutputIsStaged = true,
            Options = new QuantizeOptions { Precision = Precision.Int8, ExternalData = ExternalDataMode.Always },
            Quality = new QualityCheckOptions { ValidationData = new CalibrationDataOptions { Sources = [validation] }, SpeedBudget = TimeSpan.Zero },
        }, progress), corrupt: _ => Assert.Fail("a new entry cannot be corrupt"), CancellationToken.None);

        Assert.False(lookup.Reused);
        Assert.NotEmpty(folderCounts);
        Assert.All(folderCounts, count => Assert.Equal(1, count));
        Assert.Empty(Directory.GetDirectories(shard));
        var files = Directory.GetFiles(shard).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(key + ".onnx", files);
        Assert.Contains(key + ".onnx.data", files);
        Assert.DoesNotContain(files, f => f!.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.Equal(lookup.Sha256, CacheEntryDigest.Verify(lookup.Path, out _));
    }

    private sealed class Snapshot(Action take) : IProgress<string>
    {
        public void Report(string value) => take();
    }
}
