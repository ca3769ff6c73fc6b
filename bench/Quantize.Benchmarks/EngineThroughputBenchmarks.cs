using BenchmarkDotNet.Attributes;
using Quantize.Core;

namespace Quantize.Benchmarks;

/// <summary>
/// Engine throughput per pass, next to the floor of reading the input file and writing an output file
/// of the same size (the Ratio column is engine time / floor time). Verification in ONNX Runtime is
/// off here: it measures ORT's load time, not ours.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class EngineThroughputBenchmarks
{
    private string _input = string.Empty;
    private string _output = string.Empty;

    [Params("MiniLM", "Synthetic400MB")]
    public string Model { get; set; } = "MiniLM";

    [GlobalSetup]
    public void Setup()
    {
        _input = Model == "MiniLM" ? BenchmarkModels.MiniLm : BenchmarkModels.Synthetic400Mb;
        _output = Path.Combine(BenchmarkModels.Folder, $"{Model}.out.onnx");
    }

    [Benchmark(Baseline = true, Description = "read + write floor")]
    public long FileCopyFloor()
    {
        var bytes = File.ReadAllBytes(_input);
        File.WriteAllBytes(_output, bytes);
        return bytes.Length;
    }

    [Benchmark(Description = "Fp16")]
    public long Fp16() => Run(Precision.Fp16);

    [Benchmark(Description = "Bf16")]
    public long Bf16() => Run(Precision.Bf16);

    [Benchmark(Description = "Int8")]
    public long Int8() => Run(Precision.Int8);

    [Benchmark(Description = "Int4")]
    public long Int4() => Run(Precision.Int4);

    private long Run(Precision precision) =>
        QuantizeEngine.Quantize(_input, _output, new QuantizeOptions { Precision = precision }, verifyOutput: false).BytesAfter;
}
