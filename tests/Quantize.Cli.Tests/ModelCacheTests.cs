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
/// The local build cache with real quantization: an entry is produced in the run's one staging folder (the cache stages
/// it under the key's own name, the checked run writes every attempt there in place, and the cache's publish is the one
/// commit: model, its <c>&lt;key&gt;.onnx.data</c>, the digest), and every kind of damage to an entry is detected,
/// reported, and made good with identical bytes (Build.Tests' CacheIntegrityBuildTests runs one of them through a build).
/// </summary>
public sealed class ModelCacheTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("model-cache");

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

    [Theory]
    [InlineData("altered")]
    [InlineData("truncated")]
    [InlineData("emptied")]
    [InlineData("swapped for another valid model")]
    [InlineData("data file altered")]
    [InlineData("data file missing")]
    [InlineData("digest missing")]
    public void A_damaged_entry_is_reported_and_made_again_with_the_same_bytes(string damage)
    {
        var input = Path.Combine(_folder, "mlp.onnx");
        File.WriteAllBytes(input, TestModelCatalog.Mlp().ToByteArray());
        var cache = new ModelCache(Path.Combine(_folder, "cache"));
        var key = new string('b', 64);
        var produced = 0;
        void Produce(string staged)
        {
            produced++;
            Quantizer.Run(new QuantizeJob
            {
                InputPath = input,
                OutputPath = staged,
                OutputIsStaged = true,
                Options = new QuantizeOptions { Precision = Precision.Int8, ExternalData = ExternalDataMode.Always },
            });
        }

        var entry = cache.GetOrCreate(key, Produce, _ => Assert.Fail("a new entry cannot be corrupt"), CancellationToken.None).Path;
        var (model, data) = (File.ReadAllBytes(entry), File.ReadAllBytes(entry + ".data"));
        Damage(damage, entry);

        var reports = new List<string>();
        var lookup = cache.GetOrCreate(key, Produce, reports.Add, CancellationToken.None);

        Assert.False(lookup.Reused);
        Assert.Equal(2, produced);
        Assert.Contains(entry, Assert.Single(reports), StringComparison.Ordinal);
        Assert.Equal(model, File.ReadAllBytes(entry));
        Assert.Equal(data, File.ReadAllBytes(entry + ".data"));
        var reused = cache.GetOrCreate(key, Produce, reports.Add, CancellationToken.None);
        Assert.True(reused.Reused);
        Assert.Equal((2, 1), (produced, reports.Count));
    }

    private void Damage(string damage, string entry)
    {
        switch (damage)
        {
            case "altered":
                var bytes = File.ReadAllBytes(entry);
                bytes[bytes.Length / 2] ^= 0x5A;
                File.WriteAllBytes(entry, bytes);
                break;
            case "truncated":
                using (var stream = File.OpenWrite(entry))
                {
                    stream.SetLength(stream.Length / 3);
                }

                break;
            case "emptied":
                File.WriteAllBytes(entry, []);
                break;
            case "swapped for another valid model":
                var other = Path.Combine(_folder, "attention.int8.onnx");
                var attention = Path.Combine(_folder, "attention.onnx");
                File.WriteAllBytes(attention, TestModelCatalog.AttentionBlock().ToByteArray());
                QuantizeEngine.Quantize(attention, other, new QuantizeOptions { Precision = Precision.Int8 });
                File.Copy(other, entry, overwrite: true);
                break;
            case "data file altered":
                var data = File.ReadAllBytes(entry + ".data");
                data[^1] ^= 0x01;
                File.WriteAllBytes(entry + ".data", data);
                break;
            case "data file missing":
                File.Delete(entry + ".data");
                break;
            case "digest missing":
                File.Delete(CacheEntryDigest.PathOf(entry));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
    }

    private sealed class Snapshot(Action take) : IProgress<string>
    {
        public void Report(string value) => take();
    }
}
