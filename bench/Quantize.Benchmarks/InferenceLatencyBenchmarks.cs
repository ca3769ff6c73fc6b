using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using Quantize.Core;
using Quantize.Testing;

namespace Quantize.Benchmarks;

/// <summary>
/// MiniLM inference latency on the CPU provider for each precision, side by side in one run (the Ratio
/// column is relative to FP32). One 20-token sentence, batch 1, default session options. Int4Gptq and Int4Awq are INT4
/// with those methods, calibrated on the first 30 of the test sentences (AWQ adds one Mul before each MatMul);
/// Int4AwqAsymmetric is AWQ with asymmetric blocks (a zero point per block).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class InferenceLatencyBenchmarks : SessionLatencyBenchmark
{
    [Params("Fp32", "Fp16", "Bf16", "Int8", "Int4", "Int4Gptq", "Int4Awq", "Int4AwqAsymmetric")]
    public string Variant { get; set; } = "Fp32";

    [GlobalSetup]
    public void Setup()
    {
        var path = BenchmarkModels.MiniLm;
        if (Variant is "Int4Gptq" or "Int4Awq" or "Int4AwqAsymmetric")
        {
            path = Path.Combine(BenchmarkModels.Folder, $"minilm.{Variant}.onnx");
            var sentences = Path.Combine(BenchmarkModels.Folder, "calibration-sentences.txt");
            File.WriteAllLines(sentences, Sentences.All.Take(30));
            Quantizer.Run(new QuantizeJob
            {
                InputPath = BenchmarkModels.MiniLm,
                OutputPath = path,
                Options = new QuantizeOptions { Precision = Precision.Int4, Int4Method = Variant == "Int4Gptq" ? Int4Method.Gptq : Int4Method.Awq, Symmetric = Variant != "Int4AwqAsymmetric" },
                Calibration = new Core.Calibration.CalibrationSetup(
                    new Core.Calibration.Data.CalibrationDataOptions { Sources = [sentences], Text = new Core.Calibration.Data.TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath } },
                    new Core.Calibration.CalibrationOptions()),
            });
        }
        else if (Variant != "Fp32")
        {
            if (!PrecisionNames.TryParse(Variant, out var precision))
            {
                throw new InvalidOperationException($"Unknown variant {Variant}");
            }

            path = Path.Combine(BenchmarkModels.Folder, $"minilm.{Variant}.onnx");
            QuantizeEngine.Quantize(BenchmarkModels.MiniLm, path, new QuantizeOptions { Precision = precision });
        }

        var tokenizer = BertTokenizer.Create(RealModels.MiniLmVocabPath);
        var ids = tokenizer.EncodeToIds("The quick brown fox jumps over the lazy dog near the quiet river bank today.").Select(i => (long)i).ToArray();
        var shape = new long[] { 1, ids.Length };
        Open(
            path,
            ["input_ids", "attention_mask", "token_type_ids"],
            [
                OrtValue.CreateTensorValueFromMemory(ids, shape),
                OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, ids.Length).ToArray(), shape),
                OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape),
            ]);
    }
}
