namespace Quantize.Testing.TestModels;

/// <summary>The sizes of a <see cref="DecoderTestModels"/> Llama-style decoder.</summary>
/// <param name="Layers">Decoder blocks.</param>
/// <param name="Hidden">Model width D.</param>
/// <param name="Heads">Query heads; D / Heads is the head width.</param>
/// <param name="KvHeads">Key/value heads (grouped-query attention when fewer than <paramref name="Heads"/>).</param>
/// <param name="Intermediate">The SwiGLU MLP's width.</param>
/// <param name="Vocabulary">Token count V.</param>
/// <param name="TiedEmbedding">True: the lm_head reads the embedding table (through a Transpose), as tied exports do.</param>
public sealed record DecoderShape(int Layers, int Hidden, int Heads, int KvHeads, int Intermediate, int Vocabulary, bool TiedEmbedding = true)
{
    /// <summary>Rotary tables cover positions 0..MaxPositions − 1.</summary>
    public int MaxPositions { get; init; } = 512;

    /// <summary>The width of one attention head.</summary>
    public int HeadWidth => Hidden / Heads;

    /// <summary>The test-size decoder of the default suite: 2 layers, D = 64, 4 query and 2 key/value heads, V = 256.</summary>
    public static DecoderShape Tiny { get; } = new(Layers: 2, Hidden: 64, Heads: 4, KvHeads: 2, Intermediate: 128, Vocabulary: 256) { MaxPositions = 64 };

    /// <summary>
    /// Qwen2.5-0.5B's widths (D 896, 14 query and 2 key/value heads, SwiGLU 4864, vocabulary 151 936, tied lm_head) with
    /// <paramref name="layers"/> blocks: 25 give about 509 M parameters, 2.04 GB in FP32, for benchmarks and heavy tests.
    /// </summary>
    public static DecoderShape HalfBillion(int layers = 25) => new(layers, Hidden: 896, Heads: 14, KvHeads: 2, Intermediate: 4864, Vocabulary: 151_936) { MaxPositions = 2048 };

    /// <summary>
    /// Qwen2.5-1.5B's widths (D 1536, 12 query and 2 key/value heads, SwiGLU 8960, vocabulary 151 936, tied lm_head),
    /// 28 blocks: about 1.54 B parameters, 6.2 GB in FP32, for the bounded-memory benchmark.
    /// </summary>
    public static DecoderShape OneAndHalfBillion() => new(Layers: 28, Hidden: 1536, Heads: 12, KvHeads: 2, Intermediate: 8960, Vocabulary: 151_936) { MaxPositions = 2048 };

    /// <summary>Weights in the model (embedding counted once when tied; norms included).</summary>
    public long Parameters
    {
        get
        {
            long kv = (long)KvHeads * HeadWidth;
            long perLayer = ((long)Hidden * Hidden * 2) + (2L * Hidden * kv) + (3L * Hidden * Intermediate) + (2L * Hidden);
            return (Layers * perLayer) + ((long)Vocabulary * Hidden * (TiedEmbedding ? 1 : 2)) + Hidden;
        }
    }
}
