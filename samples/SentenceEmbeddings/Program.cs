using Microsoft.ML.Tokenizers;
using SentenceEmbeddings;

// all-MiniLM-L6-v2, quantized to INT8 during the build and embedded in this assembly: MiniLm is the class the
// Quantize.Build source generator wrote from the model's own inputs and outputs.
var tokenizer = BertTokenizer.Create(Path.Combine(AppContext.BaseDirectory, "vocab.txt"));
using var model = new MiniLm();

Console.WriteLine($"{MiniLm.Model.Precision} model: {MiniLm.Model.BytesBefore / 1048576.0:0.0} MiB float -> {MiniLm.Model.BytesAfter / 1048576.0:0.0} MiB embedded");

(string, string)[] pairs =
[
    ("A man is playing a guitar.", "Someone is playing an instrument."),
    ("The new movie is awesome.", "The new film is so great."),
    ("A cat sits on the windowsill.", "A kitten is resting by the window."),
    ("The stock market fell sharply today.", "A man is eating a bowl of pasta."),
    ("How do I reset my password?", "The weather will be sunny tomorrow."),
];

foreach (var (a, b) in pairs)
{
    Console.WriteLine($"{Similarity(Embed(a), Embed(b)),6:0.000}  \"{a}\" ~ \"{b}\"");
}

float[] Embed(string sentence)
{
    var ids = tokenizer.EncodeToIds(sentence).Select(i => (long)i).ToArray();
    var mask = Enumerable.Repeat(1L, ids.Length).ToArray();
    var types = new long[ids.Length];
    using var result = model.Run(ids, mask, types, batch: 1, sequence: ids.Length);

    // Mean pooling over the tokens, as sentence-transformers does for this model.
    var hidden = result.LastHiddenState;
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

static double Similarity(float[] a, float[] b)
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
