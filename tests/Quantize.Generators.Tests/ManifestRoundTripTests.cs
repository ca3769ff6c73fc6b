using Quantize.Cli.Build;
using Quantize.Core.Inspection;
using Quantize.Generators.Manifest;
using Quantize.Testing;
using Xunit;

namespace Quantize.Generators.Tests;

/// <summary>
/// The manifest contract from both ends: what the worker's <see cref="ManifestWriter"/> writes, the generator's
/// <see cref="ManifestParser"/> reads back field for field (the shared <c>ManifestFields</c> names both use).
/// </summary>
public sealed class ManifestRoundTripTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("manifest-round-trip");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void What_the_worker_writes_the_generator_reads(bool embed)
    {
        var model = new BuildModelRequest
        {
            ItemSpec = @"models\sub dir\mini-lm.onnx",
            ClassName = "MiniLm",
            Namespace = "App.Models",
            Embed = embed,
            ResourceName = "App.Models.MiniLm.onnx",
            ModelFileName = "MiniLm.onnx",
            Manifest = Path.Combine(_folder, "App.Models.MiniLm.quantize.json"),
        };
        TensorSignature[] inputs =
        [
            new("input_ids", "int64", [new(null, "batch"), new(null, "sequence")]),
            new("mask \"odd\" name", "float", [new(1, null), new(null, null), new(384, null)]),
        ];
        TensorSignature[] outputs = [new("last_hidden_state", "float16", [new(null, "batch"), new(7, null)])];

        Assert.True(ManifestWriter.Write(model, "Int8", new ManifestFacts("ab12", "cd34", 90_000_000, 23_000_000), inputs, outputs, usesOrtExtensions: true));
        var parsed = ManifestParser.Parse(model.Manifest, File.ReadAllText(model.Manifest));

        Assert.Null(parsed.Error);
        var read = parsed.Model!;
        Assert.Equal(("MiniLm", "App.Models", "Int8"), (read.ClassName, read.Namespace, read.Precision));
        Assert.Equal(embed ? "App.Models.MiniLm.onnx" : null, read.ResourceName);
        Assert.Equal("MiniLm.onnx", read.ModelFileName);
        Assert.Equal("models/sub dir/mini-lm.onnx", read.SourceFile);
        Assert.Equal(("ab12", "cd34", 90_000_000L, 23_000_000L, true), (read.SourceSha256, read.OutputSha256, read.BytesBefore, read.BytesAfter, read.UsesOrtExtensions));
        AssertTensors(inputs, read.Inputs);
        AssertTensors(outputs, read.Outputs);
    }

    private static void AssertTensors(IReadOnlyList<TensorSignature> written, IEnumerable<TensorManifest> read)
    {
        var tensors = read.ToList();
        Assert.Equal(written.Select(t => t.Name), tensors.Select(t => t.Name));
        Assert.Equal(written.Select(t => t.ElementType), tensors.Select(t => t.ElementType.ManifestName));
        Assert.Equal(
            written.Select(t => string.Join(",", t.Shape!.Select(d => d.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? d.Symbol ?? "?"))),
            tensors.Select(t => string.Join(",", t.Shape.Select(d => d.ToString()))));
    }
}
