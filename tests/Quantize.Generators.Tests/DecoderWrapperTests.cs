using Google.Protobuf;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Generators.Tests;

/// <summary>
/// The generated wrapper of a decoder, compiled and run for real: <c>CreateCache()</c>'s Prefill and Step, which feed
/// each run's presents back as pasts, must give the logits ONNX Runtime gives for the same loop run by hand
/// (<see cref="DecoderRunner"/>), and the cache's length must follow the tokens.
/// </summary>
public sealed class DecoderWrapperTests
{
    private const string App = """
        using System.Collections.Generic;

        namespace Samples.Text
        {
            internal static class Driver
            {
                public static (float[][] Logits, int Length) Generate(long[] prompt, long[] next)
                {
                    using var model = new TinyLlama();
                    using var cache = model.CreateCache();
                    var logits = new List<float[]> { cache.Prefill(prompt).ToArray() };
                    foreach (var token in next)
                    {
                        logits.Add(cache.Step(token).ToArray());
                    }

                    return (logits.ToArray(), cache.Length);
                }
            }
        }
        """;

    [Fact]
    public void Prefill_and_step_equal_the_kv_cache_loop_run_by_hand()
    {
        var shape = DecoderShape.Tiny;
        var bytes = DecoderTestModels.Llama(shape).ToByteArray();
        var manifest = File.ReadAllText(TestFiles.Manifest("TinyLlama"));
        var assembly = WrapperCompiler.Compile(manifest, App, "Samples.Text.TinyLlama.onnx", bytes);
        long[] prompt = [5, 17, 99, 3], next = [7, 200, 13];

        var (logits, length) = ((float[][], int))WrapperCompiler.Call(assembly, "Samples.Text.Driver", "Generate", prompt, next)!;

        var folder = RealModels.ScratchFolder("decoder-wrapper");
        var path = Path.Combine(folder, "decoder.onnx");
        File.WriteAllBytes(path, bytes);
        using var runner = new DecoderRunner(path, shape.KvHeads, shape.HeadWidth);
        var expected = runner.Generate(prompt, next);
        Assert.Equal(prompt.Length + next.Length, length);
        Assert.Equal(expected.Count, logits.Length);
        for (int step = 0; step < expected.Count; step++)
        {
            Assert.Equal(shape.Vocabulary, logits[step].Length);
            Assert.True(Similarity.MaxAbsDiff(expected[step], logits[step]) < 1e-5, $"step {step}");
        }
    }
}
