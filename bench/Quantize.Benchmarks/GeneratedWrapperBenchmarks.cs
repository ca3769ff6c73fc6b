using System.Diagnostics;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using Quantize.Testing;

namespace Quantize.Benchmarks;

/// <summary>
/// The generated MiniLM wrapper (<see cref="MiniLmInt8"/>, emitted by Quantize.Generators from
/// MiniLmInt8.quantize.json) against the fastest hand-written ONNX Runtime code for the same INT8 model and the
/// same 20-token input: one session, inputs and outputs as OrtValues over pinned arrays created once, bound
/// once to an <see cref="OrtIoBinding"/>, and one <c>RunWithBinding</c> per call (the baseline). The plain
/// <c>Run</c> with pre-created input and output OrtValues is hand-written too, as the usual fast pattern.
/// Both sides get the same session options; Threads is ONNX Runtime's intra-op thread count.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
public class GeneratedWrapperBenchmarks
{
    private const string Sentence = "The quick brown fox jumps over the lazy dog near the quiet old river bank early today.";
    private const int Tokens = 20;
    private const int Width = 384;

    private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
    private static readonly string[] OutputNames = ["last_hidden_state", "924"];

    private readonly long[] _ids = new long[Tokens];
    private readonly long[] _mask = new long[Tokens];
    private readonly long[] _types = new long[Tokens];
    private readonly float[] _hidden = new float[Tokens * Width];
    private readonly float[] _pooled = new float[Width];

    private SessionOptions? _options;
    private InferenceSession? _session;
    private RunOptions? _runOptions;
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private OrtIoBinding? _binding;
    private MiniLmInt8? _wrapper;
    private Quantize.Runtime.PreparedRun? _prepared;

    /// <summary>
    /// One intra-op thread: on the shared 2-core machine the README numbers come from, two ORT threads spin
    /// against other processes and the spread swamps a 3 % comparison. Add 2 (or 0, ORT's default) on a quiet machine.
    /// </summary>
    [Params(1)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var modelPath = ProduceModel();
        var tokenizer = BertTokenizer.Create(RealModels.MiniLmVocabPath);
        var ids = tokenizer.EncodeToIds(Sentence);
        if (ids.Count != Tokens)
        {
            throw new InvalidOperationException($"The benchmark sentence has {ids.Count} tokens, not {Tokens}.");
        }

        for (int i = 0; i < Tokens; i++)
        {
            _ids[i] = ids[i];
            _mask[i] = 1;
        }

        _options = new SessionOptions { IntraOpNumThreads = Threads };

        // Hand-written: everything bound once, nothing created per call.
        _session = new InferenceSession(modelPath, _options);
        _runOptions = new RunOptions();
        long[] inputShape = [1, Tokens];
        _inputs =
        [
            OrtValue.CreateTensorValueFromMemory(_ids, inputShape),
            OrtValue.CreateTensorValueFromMemory(_mask, inputShape),
            OrtValue.CreateTensorValueFromMemory(_types, inputShape),
        ];
        _outputs =
        [
            OrtValue.CreateTensorValueFromMemory(_hidden, [1, Tokens, Width]),
            OrtValue.CreateTensorValueFromMemory(_pooled, [1, Width]),
        ];
        _binding = _session.CreateIoBinding();
        for (int i = 0; i < InputNames.Length; i++)
        {
            _binding.BindInput(InputNames[i], _inputs[i]);
        }

        for (int i = 0; i < OutputNames.Length; i++)
        {
            _binding.BindOutput(OutputNames[i], _outputs[i]);
        }

        // Generated: the wrapper loads MiniLmInt8.onnx beside the app (Embed="false" in the manifest).
        _wrapper = new MiniLmInt8(_options);
        _prepared = _wrapper.Prepare(_ids, _mask, _types, _hidden, _pooled, batch: 1, sequence: Tokens, addlastHiddenStateDim2: Width, tanh924Dim0: 1);

        CheckSameOutputs();
    }

    [Benchmark(Baseline = true, Description = "hand-written: OrtIoBinding + RunWithBinding")]
    public float HandWrittenIoBinding()
    {
        _session!.RunWithBinding(_runOptions, _binding);
        return _hidden[0];
    }

    [Benchmark(Description = "hand-written: Run with pre-created OrtValues")]
    public float HandWrittenRun()
    {
        _session!.Run(_runOptions, InputNames, _inputs, OutputNames, _outputs);
        return _hidden[0];
    }

    [Benchmark(Description = "generated: Run (returns result)")]
    public float GeneratedRun()
    {
        using var result = _wrapper!.Run(_ids, _mask, _types, batch: 1, sequence: Tokens);
        return result.LastHiddenState[0];
    }

    [Benchmark(Description = "generated: Run into caller buffers")]
    public float GeneratedRunIntoBuffers()
    {
        _wrapper!.Run(_ids, _mask, _types, _hidden, _pooled, batch: 1, sequence: Tokens, addlastHiddenStateDim2: Width, tanh924Dim0: 1);
        return _hidden[0];
    }

    [Benchmark(Description = "generated: Prepare once, PreparedRun.Run")]
    public float GeneratedPrepared()
    {
        _prepared!.Run();
        return _hidden[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _prepared?.Dispose();
        _wrapper?.Dispose();
        _binding?.Dispose();
        foreach (var value in _inputs.Concat(_outputs))
        {
            value.Dispose();
        }

        _runOptions?.Dispose();
        _session?.Dispose();
        _options?.Dispose();
    }

    /// <summary>
    /// Quantizes MiniLM the way a build does — the real worker (Quantize.Cli.dll build) on a request like the
    /// MSBuild task writes — into the file the wrapper loads, and checks that the manifest the worker writes
    /// still has the inputs and outputs of the checked-in one the wrapper was generated from.
    /// </summary>
    private static string ProduceModel()
    {
        var work = Directory.CreateDirectory(Path.Combine(BenchmarkModels.Folder, "wrapper")).FullName;
        var model = Path.Combine(AppContext.BaseDirectory, MiniLmInt8.Model.ModelFileName);
        var manifest = Path.Combine(work, "MiniLmInt8.quantize.json");
        var request = new JsonObject
        {
            ["version"] = 1,
            ["designTime"] = false,
            ["onnxRuntimeVersion"] = "",
            ["models"] = new JsonArray(new JsonObject
            {
                ["itemSpec"] = MiniLmInt8.Model.SourceFile,
                ["source"] = BenchmarkModels.MiniLm,
                ["className"] = "MiniLmInt8",
                ["namespace"] = "Quantize.Benchmarks",
                ["embed"] = false,
                ["resourceName"] = "",
                ["modelFileName"] = MiniLmInt8.Model.ModelFileName,
                ["outputModel"] = model,
                ["manifest"] = manifest,
                ["doneMarker"] = Path.Combine(work, "MiniLmInt8.done"),
                ["cacheDirectory"] = Path.Combine(work, "cache") + Path.DirectorySeparatorChar,
                ["settings"] = new JsonObject { ["Precision"] = "Int8" },
            }),
        };
        var requestPath = Path.Combine(work, "quantize.request.json");
        File.WriteAllText(requestPath, request.ToJsonString());

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Quantize.Cli.dll"), "build", "--request", requestPath })
        {
            start.ArgumentList.Add(argument);
        }

        using (var worker = Process.Start(start)!)
        {
            var stderr = worker.StandardError.ReadToEndAsync();
            var stdout = worker.StandardOutput.ReadToEnd();
            worker.WaitForExit();
            if (worker.ExitCode != 0)
            {
                throw new InvalidOperationException($"The worker failed ({worker.ExitCode}): {stdout}{stderr.Result}");
            }
        }

        using var checkedIn = typeof(GeneratedWrapperBenchmarks).Assembly.GetManifestResourceStream("MiniLmInt8.quantize.json")!;
        var expected = JsonNode.Parse(checkedIn)!;
        var actual = JsonNode.Parse(File.ReadAllText(manifest))!;
        foreach (var key in new[] { "inputs", "outputs" })
        {
            if (!JsonNode.DeepEquals(expected[key], actual[key]))
            {
                throw new InvalidOperationException($"The worker's manifest {manifest} has other {key} than bench/Quantize.Benchmarks/MiniLmInt8.quantize.json; copy it over.");
            }
        }

        return model;
    }

    /// <summary>The wrapper and the hand-written code compute the same thing (same session options, same model).</summary>
    private void CheckSameOutputs()
    {
        HandWrittenIoBinding();
        var expected = (float[])_hidden.Clone();
        using var result = _wrapper!.Run(_ids, _mask, _types, batch: 1, sequence: Tokens);
        if (!result.LastHiddenState.SequenceEqual(expected))
        {
            throw new InvalidOperationException("The generated wrapper's output differs from the hand-written run's.");
        }
    }
}
