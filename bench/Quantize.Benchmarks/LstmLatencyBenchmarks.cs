using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Quantize.Core;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Benchmarks;

/// <summary>
/// LSTM models on the CPU provider, FP32 against dynamic INT8 (DynamicQuantizeLSTM) side by side in one run,
/// batch 1, default session options: the two-layer test models (hidden 64) on one 200-step sequence, and
/// Silero VAD (8 LSTMs inside If branches) on one 512-sample chunk at 16 kHz.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class LstmLatencyBenchmarks : SessionLatencyBenchmark
{
    private const int Steps = 200;

    [Params("lstm-forward", "lstm-bidirectional", "silero-vad")]
    public string Model { get; set; } = "lstm-forward";

    [Params("Fp32", "Int8")]
    public string Variant { get; set; } = "Fp32";

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(BenchmarkModels.Folder, $"{Model}.onnx");
        if (Model == "silero-vad")
        {
            File.Copy(NpmModels.SileroVad, path, overwrite: true);
        }
        else
        {
            File.WriteAllBytes(path, TestModelCatalog.LstmStack(bidirectional: Model == "lstm-bidirectional").ToByteArray());
        }

        if (Variant == "Int8")
        {
            var quantized = Path.Combine(BenchmarkModels.Folder, $"{Model}.int8.onnx");
            QuantizeEngine.Quantize(path, quantized, new QuantizeOptions { Precision = Precision.Int8 });
            path = quantized;
        }

        if (Model == "silero-vad")
        {
            long[] state = [2, 1, 64];
            Open(
                path,
                ["input", "sr", "h", "c"],
                [
                    OrtValue.CreateTensorValueFromMemory(TestModelCatalog.LstmSequence(512 / TestModelCatalog.LstmInputSize + 1, seed: 2)[..512], [1, 512]),
                    OrtValue.CreateTensorValueFromMemory(new long[] { 16000 }, []),
                    OrtValue.CreateTensorValueFromMemory(new float[128], state),
                    OrtValue.CreateTensorValueFromMemory(new float[128], state),
                ]);
            return;
        }

        int directions = Model == "lstm-bidirectional" ? 2 : 1;
        long[] stateShape = [directions, 1, TestModelCatalog.LstmHidden];
        Open(
            path,
            ["x", "h0", "c0"],
            [
                OrtValue.CreateTensorValueFromMemory(TestModelCatalog.LstmSequence(Steps, seed: 1), [Steps, 1, TestModelCatalog.LstmInputSize]),
                OrtValue.CreateTensorValueFromMemory(new float[directions * TestModelCatalog.LstmHidden], stateShape),
                OrtValue.CreateTensorValueFromMemory(new float[directions * TestModelCatalog.LstmHidden], stateShape),
            ]);
    }
}
