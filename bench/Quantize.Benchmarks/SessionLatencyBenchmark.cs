using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;

namespace Quantize.Benchmarks;

/// <summary>
/// One ONNX Runtime session timed on fixed inputs, batch 1, default session options: the measured part of the
/// latency benchmarks. A subclass's <c>[GlobalSetup]</c> picks the model and the inputs through <see cref="Open"/>.
/// </summary>
public abstract class SessionLatencyBenchmark
{
    private InferenceSession? _session;
    private OrtValue[] _inputs = [];
    private string[] _inputNames = [];
    private RunOptions? _runOptions;

    [Benchmark]
    public int Run()
    {
        using var outputs = _session!.Run(_runOptions, _inputNames, _inputs, _session.OutputNames);
        return outputs.Count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var input in _inputs)
        {
            input.Dispose();
        }

        _runOptions?.Dispose();
        _session?.Dispose();
    }

    /// <summary>Opens <paramref name="modelPath"/> and keeps the inputs (owned from now on) every run is fed.</summary>
    protected void Open(string modelPath, string[] inputNames, OrtValue[] inputs)
    {
        _session = new InferenceSession(modelPath);
        _inputNames = inputNames;
        _inputs = inputs;
        _runOptions = new RunOptions();
    }
}
