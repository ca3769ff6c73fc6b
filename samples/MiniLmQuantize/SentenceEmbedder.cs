using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.Tokenizers;

namespace MiniLmQuantize;

/// <summary>
/// Sentence embeddings the way sentence-transformers computes them for all-MiniLM-L6-v2: WordPiece tokens,
/// the encoder's last_hidden_state, mean-pooled over the tokens.
/// </summary>
internal sealed class SentenceEmbedder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;

    public SentenceEmbedder(string modelPath, BertTokenizer tokenizer)
    {
        _session = new InferenceSession(modelPath);
        _tokenizer = tokenizer;
    }

    public float[] Embed(string sentence)
    {
        var ids = _tokenizer.EncodeToIds(sentence).Select(i => (long)i).ToArray();
        int[] shape = [1, ids.Length];
        using var results = _session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(Enumerable.Repeat(1L, ids.Length).ToArray(), shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], shape)),
        ]);
        var hidden = results.Single(r => r.Name == "last_hidden_state").AsEnumerable<float>().ToArray();
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

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    public void Dispose() => _session.Dispose();
}
