using Google.Protobuf;
using Quantize.Core.Onnx;
using Quantize.Testing.TestModels;

namespace Quantize.Core.Tests.ModelFiles;

/// <summary>
/// What keeps memory bounded on models with external data (docs/measured-results.md, "Bounded memory"): weights are read
/// through a memory mapping rather than copied, a mapped weight's pages leave the resident set once released, and the
/// tensors a pass creates go to a spill file; none of it may change a single byte of the output.
/// </summary>
public class BoundedMemoryTests
{
    /// <summary>Large enough that every pass creates tensors past <see cref="SpillFile.MinBytes"/> (the spill path runs).</summary>
    private static readonly DecoderShape Shape = new(Layers: 2, Hidden: 256, Heads: 4, KvHeads: 2, Intermediate: 512, Vocabulary: 1024) { MaxPositions = 64 };

    [Fact]
    public void Reading_external_data_copies_no_weight_bytes_into_managed_memory()
    {
        const int K = 2048, N = 2048;
        var weight = Enumerable.Range(0, K * N).Select(i => MathF.Sin(i * 0.001f)).ToArray();
        var path = Path.Combine(RealModels.ScratchFolder("mapped-read"), "model.onnx");
        ModelWriter.Save(TestModelCatalog.WeightProbe(weight, K, N), path, ExternalDataMode.Always);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var (model, _) = ModelReader.Load(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var loaded = model.Graph.Initializer.Single(t => t.Name == "weight");
        Assert.True(allocated < K * N * sizeof(float) / 8, $"reading allocated {allocated} bytes for a {K * N * sizeof(float)}-byte weight");
        Assert.True(MappedFile.IsMapped(loaded.RawData));
        Assert.Equal(weight, loaded.ReadFloats());
    }

    [Theory]
    [InlineData(Precision.Int4)]
    [InlineData(Precision.Int8)]
    [InlineData(Precision.Fp16)]
    [InlineData(Precision.Bf16)]
    public void A_model_with_external_data_quantizes_to_the_same_bytes_as_its_inline_form(Precision precision)
    {
        var (inline, external) = DecoderInBothForms($"{precision}");
        var options = new QuantizeOptions { Precision = precision, ExternalData = ExternalDataMode.Never };

        var fromInline = QuantizeEngine.Quantize(inline, Path.Combine(Path.GetDirectoryName(inline)!, "out.onnx"), options);
        var outputFolder = Path.GetDirectoryName(external)!;
        var fromExternal = QuantizeEngine.Quantize(external, Path.Combine(outputFolder, "out.onnx"), options);

        Assert.True(fromExternal.QuantizedByOpType.Count > 0);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(inline)!, "out.onnx")), File.ReadAllBytes(Path.Combine(outputFolder, "out.onnx")));
        Assert.Equal(fromInline.BytesAfter, fromExternal.BytesAfter);
        // The spill file lived in the staging folder, which is gone: nothing but the input and the output is left.
        Assert.Equal(["decoder.onnx", "decoder.onnx.data", "out.onnx"], Directory.GetFileSystemEntries(outputFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(Precision.Int4)]
    [InlineData(Precision.Int8)]
    [InlineData(Precision.Fp16)]
    public void An_external_output_adopts_the_spill_file_with_the_same_tensors_and_deterministic_bytes(Precision precision)
    {
        // The in-memory path writes every tensor into the .data file in model order; the mapped path keeps the tensors
        // the pass spilled where they are (creation order) and appends the rest. The layouts differ, the tensors may not.
        var (inline, external) = DecoderInBothForms($"adopt-{precision}");
        var externalFolder = Path.GetDirectoryName(external)!;
        var options = new QuantizeOptions { Precision = precision, ExternalData = ExternalDataMode.Always };

        var reference = Path.Combine(Path.GetDirectoryName(inline)!, "out.onnx");
        QuantizeEngine.Quantize(inline, reference, options);
        // Same file name in another folder: the model names its data file.
        var first = Path.Combine(externalFolder, "out.onnx");
        var second = Path.Combine(RealModels.ScratchFolder($"adopt-again-{precision}"), "out.onnx");
        var fromExternal = QuantizeEngine.Quantize(external, first, options);
        QuantizeEngine.Quantize(external, second, options);

        var expected = ModelReader.Load(reference).Model.Graph.Initializer.ToDictionary(t => t.Name, t => t.RawData.ToByteArray());
        var actual = ModelReader.Load(first).Model.Graph.Initializer.ToDictionary(t => t.Name, t => t.RawData.ToByteArray());
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, e => Assert.True(e.Value.AsSpan().SequenceEqual(actual[e.Key]), $"tensor {e.Key} differs"));
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal(File.ReadAllBytes(first + ".data"), File.ReadAllBytes(second + ".data"));
        Assert.Equal(new FileInfo(first).Length + new FileInfo(first + ".data").Length, fromExternal.BytesAfter);
        Assert.Equal(["decoder.onnx", "decoder.onnx.data", "out.onnx", "out.onnx.data"],
            Directory.GetFileSystemEntries(externalFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>The test decoder written twice, in folders of its own: weights inline, and in an external-data file.</summary>
    private static (string Inline, string External) DecoderInBothForms(string name)
    {
        var decoder = DecoderTestModels.Llama(Shape);
        var inline = Path.Combine(RealModels.ScratchFolder($"inline-{name}"), "decoder.onnx");
        var external = Path.Combine(RealModels.ScratchFolder($"external-{name}"), "decoder.onnx");
        ModelWriter.Save(decoder, inline, ExternalDataMode.Never);
        ModelWriter.Save(decoder, external, ExternalDataMode.Always);
        return (inline, external);
    }

    [Fact]
    public void A_released_weight_leaves_the_resident_set()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the resident set is read from /proc; the release itself is best effort elsewhere
        }

        const int Bytes = 64 << 20;
        var path = Path.Combine(RealModels.ScratchFolder("resident"), "weights.bin");
        File.WriteAllBytes(path, Enumerable.Repeat((byte)1, Bytes).ToArray());
        var bytes = MappedFile.Open(path)!.Range(0, Bytes);

        long sum = 0;
        foreach (var b in bytes.Span)
        {
            sum += b;
        }

        long touched = ResidentFileBytes();
        MappedFile.ReleaseResident(bytes);
        long released = ResidentFileBytes();

        Assert.Equal(Bytes, sum);
        Assert.True(touched - released > Bytes * 3L / 4, $"file-backed resident memory went from {touched} to {released} bytes after releasing {Bytes}");
        Assert.Equal(1, bytes.Span[Bytes - 1]); // still readable: the pages come back from the file
    }

    [Fact]
    public async Task A_weight_read_ahead_is_resident_before_the_pass_touches_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Linux only: elsewhere the read-ahead completes at once and the pass takes page faults
        }

        const int Bytes = 64 << 20;
        var path = Path.Combine(RealModels.ScratchFolder("read-ahead"), "weights.bin");
        File.WriteAllBytes(path, Enumerable.Repeat((byte)2, Bytes).ToArray());
        var bytes = MappedFile.Open(path)!.Range(0, Bytes);
        long before = ResidentFileBytes();

        await MappedFile.PopulateAhead(bytes);
        long after = ResidentFileBytes();

        Assert.True(after - before > Bytes * 3L / 4, $"file-backed resident memory went from {before} to {after} bytes after reading {Bytes} ahead");
        Assert.True(MappedFile.PopulateAhead(ByteString.CopyFrom(1, 2, 3)).IsCompleted, "managed bytes need no read-ahead");
        MappedFile.ReleaseResident(bytes);
    }

    private static long ResidentFileBytes() =>
        long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("RssFile:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
}
