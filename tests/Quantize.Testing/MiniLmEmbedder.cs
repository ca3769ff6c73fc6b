using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Quantize.Testing;

/// <summary>
/// Sentence embeddings from all-MiniLM-L6-v2 the way sentence-transformers computes them: BERT WordPiece
/// tokens (Microsoft.ML.Tokenizers with the model's own vocabulary), the encoder's last_hidden_state,
/// mean-pooled over real tokens. Used to compare a quantized MiniLM with the float one on real text.
/// </summary>
public static class MiniLmEmbedder
{
    private static readonly Lazy<BertTokenizer> Tokenizer = new(() => BertTokenizer.Create(RealModels.MiniLmVocabPath));

    /// <summary>Embeds each sentence (batch of one, so no padding affects the result) with one session.</summary>
    public static float[][] Embed(string modelPath, IReadOnlyList<string> sentences)
    {
        using var session = OrtRunner.Open(modelPath);
        return [.. sentences.Select(s => EmbedOne(session, s))];
    }

    private static float[] EmbedOne(InferenceSession session, string sentence)
    {
        var ids = Tokenizer.Value.EncodeToIds(sentence).Select(i => (long)i).ToArray();
        var shape = new long[] { 1, ids.Length };
        var outputs = OrtRunner.Run(session, new Dictionary<string, OrtRunner.Input>
        {
            ["input_ids"] = new(ids, shape),
            ["attention_mask"] = new(Enumerable.Repeat(1L, ids.Length).ToArray(), shape),
            ["token_type_ids"] = new(new long[ids.Length], shape),
        });
        var hidden = outputs["last_hidden_state"];
        int width = hidden.Length / ids.Length;
        var pooled = new float[width];
        for (int t = 0; t < ids.Length; t++)
        {
            for (int j = 0; j < width; j++)
            {
                pooled[j] += hidden[(t * width) + j] / ids.Length;
            }
        }

        return pooled;
    }

    /// <summary>Mean cosine similarity between paired embeddings.</summary>
    public static double MeanCosine(float[][] expected, float[][] actual) =>
        expected.Zip(actual, (e, a) => Similarity.Cosine(e, a)).Average();
}
