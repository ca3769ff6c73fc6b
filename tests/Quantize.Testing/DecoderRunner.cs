using Microsoft.ML.OnnxRuntime;

namespace Quantize.Testing;

/// <summary>
/// Drives a decoder with the usual export convention (see <see cref="TestModels.DecoderTestModels"/>) through ONNX
/// Runtime, batch 1: one prefill of a prompt with empty pasts, then one token per step with each step's presents fed
/// back as the next step's pasts. Returns the last position's logits of every run.
/// </summary>
public sealed class DecoderRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _layers;

    /// <summary>Opens <paramref name="modelPath"/>; <paramref name="kvHeads"/> and <paramref name="headWidth"/> size the empty pasts.</summary>
    public DecoderRunner(string modelPath, int kvHeads, int headWidth)
    {
        _session = OrtRunner.Open(modelPath);
        _layers = _session.InputNames.Count(n => n.StartsWith("past_key_values.", StringComparison.Ordinal)) / 2;
        KvHeads = kvHeads;
        HeadWidth = headWidth;
    }

    public int KvHeads { get; }

    public int HeadWidth { get; }

    public void Dispose() => _session.Dispose();

    /// <summary>
    /// Prefills <paramref name="prompt"/>, then feeds <paramref name="next"/> one token per step (teacher forcing, so two
    /// models compared step by step see the same tokens). Returns the logits at the last position of each run:
    /// prefill first, then one per fed token.
    /// </summary>
    public List<float[]> Generate(long[] prompt, long[] next)
    {
        var logits = new List<float[]>();
        var pasts = Enumerable.Range(0, 2 * _layers).Select(_ => (Data: Array.Empty<float>(), Length: 0L)).ToArray();
        long position = 0;
        foreach (var chunk in new[] { prompt }.Concat(next.Select(t => new[] { t })))
        {
            var (last, presents) = Run(chunk, position, pasts);
            logits.Add(last);
            pasts = presents;
            position += chunk.Length;
        }

        return logits;
    }

    /// <summary>Logits of every position of <paramref name="tokens"/> in one run with empty pasts, [tokens, V] row-major.</summary>
    public float[] Full(long[] tokens)
    {
        var pasts = Enumerable.Range(0, 2 * _layers).Select(_ => (Data: Array.Empty<float>(), Length: 0L)).ToArray();
        return RunAll(tokens, 0, pasts).Logits;
    }

    private (float[] Last, (float[] Data, long Length)[] Presents) Run(long[] tokens, long position, (float[] Data, long Length)[] pasts)
    {
        var (all, presents) = RunAll(tokens, position, pasts);
        int vocabulary = all.Length / tokens.Length;
        return (all[^vocabulary..], presents);
    }

    private (float[] Logits, (float[] Data, long Length)[] Presents) RunAll(long[] tokens, long position, (float[] Data, long Length)[] pasts)
    {
        long past = pasts[0].Length, total = past + tokens.Length;
        var inputs = new Dictionary<string, OrtRunner.Input>
        {
            ["input_ids"] = new(tokens, [1, tokens.Length]),
            ["attention_mask"] = new(Enumerable.Repeat(1L, (int)total).ToArray(), [1, total]),
            ["position_ids"] = new(Enumerable.Range(0, tokens.Length).Select(i => position + i).ToArray(), [1, tokens.Length]),
        };
        for (int layer = 0; layer < _layers; layer++)
        {
            inputs[$"past_key_values.{layer}.key"] = OrtRunner.Floats(pasts[2 * layer].Data, 1, KvHeads, past, HeadWidth);
            inputs[$"past_key_values.{layer}.value"] = OrtRunner.Floats(pasts[(2 * layer) + 1].Data, 1, KvHeads, past, HeadWidth);
        }

        var outputs = OrtRunner.Run(_session, inputs);
        var presents = new (float[] Data, long Length)[2 * _layers];
        for (int layer = 0; layer < _layers; layer++)
        {
            presents[2 * layer] = (outputs[$"present.{layer}.key"], total);
            presents[(2 * layer) + 1] = (outputs[$"present.{layer}.value"], total);
        }

        return (outputs["logits"], presents);
    }
}
