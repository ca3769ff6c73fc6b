using Quantize.Core;
using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.Packaging;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// Opt-in heavy tier (<c>QUANTIZE_HEAVY=1</c>): a consumer project with the 509 M-parameter decoder (2.04 GB FP32 with
/// external data) builds against the packed package with nothing but Precision="Int4": the model is not embedded (its
/// source passes 1 GiB), the app loads it from beside itself and generates through its KV cache, and a no-op rebuild
/// quantizes nothing.
/// </summary>
[Collection(PackedBuildTests.Name)]
[Trait("Category", "Heavy")]
public sealed class HeavyDecoderBuildTests(PackageFixture fixture)
{
    [HeavyFact]
    public void A_consumer_with_a_decoder_over_2_GB_builds_loads_and_generates()
    {
        var project = new ConsumerProject(fixture, "BigDecoder");
        var models = Path.Combine(project.Directory, "models");
        Directory.CreateDirectory(models);
        ModelWriter.Save(DecoderTestModels.Llama(DecoderShape.HalfBillion()), Path.Combine(models, "decoder.onnx"), ExternalDataMode.Always);
        project.Items = """<QuantizedModel Include="models/decoder.onnx" Precision="Int4" ClassName="Decoder" />""";
        project.WriteProject();
        project.WriteProgram("""
            using var model = new BigDecoder.Decoder();
            using var cache = model.CreateCache();
            var logits = cache.Prefill(new long[] { 11, 400, 9000 });
            logits = cache.Step(5);
            Console.WriteLine($"vocabulary {logits.Length}, cached {cache.Length}");
            """);

        var build = project.Build();
        Assert.True(build.ExitCode == 0, build.Output);
        var bin = Path.Combine(project.Directory, "bin", "Debug", "net10.0");
        Assert.True(File.Exists(Path.Combine(bin, "Decoder.onnx")), $"the model is not beside the app: {string.Join(", ", Directory.EnumerateFiles(bin).Select(Path.GetFileName))}\n{build.Output}");
        Assert.True(new FileInfo(Path.Combine(bin, "BigDecoder.dll")).Length < 10_000_000, "the model was embedded");
        var run = project.Run();
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("vocabulary 151936, cached 4", run.Output, StringComparison.Ordinal);

        var again = project.Build();
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Equal(0, again.WorkerRuns);
    }
}
