using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// A decoder with a KV cache through the CLI: without any data the speed check recognizes it, times a prefill and a
/// decode step at the lengths asked for, and says both in the summary.
/// </summary>
[Trait(PassTraits.Requires, PassTraits.Passes)]
public sealed class DecoderCommandTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("decoder-cli");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_speed_check_reports_prefill_latency_and_decode_tokens_per_second()
    {
        var input = ModelFiles.Write(_folder, "decoder.onnx", DecoderTestModels.Llama(DecoderShape.Tiny));

        var run = CliProcess.Run(input, "-o", Path.Combine(_folder, "int4.onnx"), "-p", "int4", "--prompt-length", "16", "--decode-context", "40");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"Speed \(this machine's CPU, decoder\): prefill of 16 tokens float [0-9.]+ ms, quantized [0-9.]+ ms \([0-9.]+x\); decode at context 40 float [0-9.]+ tokens/s, quantized [0-9.]+ tokens/s \([0-9.]+x\)", run.Stdout);
        Assert.DoesNotContain("speed check was skipped", run.Stdout, StringComparison.Ordinal);
    }
}
