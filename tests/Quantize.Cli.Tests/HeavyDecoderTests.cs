using Quantize.Core;
using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// Opt-in heavy tier (<c>QUANTIZE_HEAVY=1</c>): a 509 M-parameter decoder, 2.04 GB in FP32 with external data, through
/// the CLI to INT4: it writes a model ONNX Runtime runs through its KV cache close to the float model, and the speed
/// check reports prefill and decode.
/// </summary>
[Trait("Category", "Heavy")]
public sealed class HeavyDecoderTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("heavy-decoder");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [HeavyFact]
    public void A_decoder_over_2_GB_with_external_data_quantizes_to_int4_and_runs_through_its_cache()
    {
        var shape = DecoderShape.HalfBillion();
        var input = Path.Combine(_folder, "decoder.onnx");
        ModelWriter.Save(DecoderTestModels.Llama(shape), input, ExternalDataMode.Always);
        Assert.True(new FileInfo(input + ".data").Length > 2_000_000_000);
        var output = Path.Combine(_folder, "decoder-int4.onnx");

        var run = CliProcess.Run(input, "-o", output, "-p", "int4", "--prompt-length", "32", "--decode-context", "64");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Speed (this machine's CPU, decoder): prefill of 32 tokens", run.Stdout, StringComparison.Ordinal);
        Assert.True(new FileInfo(output).Length < 0.3 * new FileInfo(input + ".data").Length);
        using var floatRunner = new DecoderRunner(input, shape.KvHeads, shape.HeadWidth);
        using var int4Runner = new DecoderRunner(output, shape.KvHeads, shape.HeadWidth);
        long[] prompt = [11, 400, 9000, 5], next = [77, 123_456];
        var cosines = floatRunner.Generate(prompt, next).Zip(int4Runner.Generate(prompt, next), (e, a) => Similarity.Cosine(e, a));
        Assert.All(cosines, c => Assert.True(c >= 0.95, $"logits cosine {c:F4}"));
    }
}
