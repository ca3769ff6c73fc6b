using Quantize.Core.Onnx;
using Xunit.Abstractions;
using static Quantize.Core.Tests.Int8.Int8TestSupport;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Int8;

/// <summary>
/// Dynamic INT8 of PyTorch-style LSTM exports through ONNX Runtime's DynamicQuantizeLSTM, judged against ONNX
/// Runtime running the float model on smooth multi-frequency sequences of several lengths.
/// </summary>
public class LstmQuantizationTests(ITestOutputHelper output)
{
    /// <summary>The issue's bar for the LSTM test models.</summary>
    private const double MinimumCosine = 0.99;

    public static TheoryData<bool, bool, bool> Shapes => new()
    {
        { false, false, false },
        { true, false, false },
        { false, true, true },
        { false, true, false },
        { true, true, true },
        { true, true, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_lstm_becomes_the_fused_kernel_and_stays_close_to_float(bool bidirectional, bool insideIf, bool condition)
    {
        var model = TestModelCatalog.LstmStack(bidirectional, insideIf);
        var outcome = QuantizeModel(model, name: "lstm");

        // The stack has two layers; inside an If, the then-branch holds the stack and the else-branch one more.
        int expected = insideIf ? 3 : 2;
        Assert.Equal(expected, Count(outcome.Model, "DynamicQuantizeLSTM"));
        Assert.Equal(0, Count(outcome.Model, "LSTM"));
        Assert.Equal(expected, outcome.Result.QuantizedByOpType["LSTM"]);
        Assert.Contains(outcome.Model.OpsetImport, o => o.Domain == "com.microsoft");

        int directions = bidirectional ? 2 : 1;
        foreach (var (length, seed) in new[] { (16, 1), (60, 2), (200, 3) })
        {
            var inputs = Inputs(length, seed, directions, insideIf ? condition : null);
            var floats = OrtRunner.Run(model, inputs);
            var quantized = OrtRunner.Run(outcome.OutputPath, inputs);
            foreach (var (name, reference) in floats)
            {
                double cosine = Similarity.Cosine(reference, quantized[name]);
                output.WriteLine($"{name}, {length} steps: cosine {cosine:F5}");
                Assert.True(cosine >= MinimumCosine, $"{name}, {length} steps: cosine {cosine:F4} < {MinimumCosine}");
            }
        }
    }

    [Fact]
    public void The_lstm_weights_shrink_to_under_three_tenths()
    {
        var model = TestModelCatalog.LstmStack(bidirectional: true);
        var outcome = QuantizeModel(model, name: "lstm-size");

        long floatBytes = model.Graph.Initializer.Where(t => t.Name.EndsWith(".W", StringComparison.Ordinal) || t.Name.EndsWith(".R", StringComparison.Ordinal)).Sum(t => t.RawData.Length);
        long quantizedBytes = outcome.Model.Graph.Initializer
            .Where(t => t.Name.Contains(".W_", StringComparison.Ordinal) || t.Name.Contains(".R_", StringComparison.Ordinal))
            .Sum(t => t.RawData.Length);

        Assert.DoesNotContain(outcome.Model.Graph.Initializer, t => t.Name.EndsWith(".W", StringComparison.Ordinal) || t.Name.EndsWith(".R", StringComparison.Ordinal));
        Assert.InRange(quantizedBytes / (double)floatBytes, 0.25, 0.30);
    }

    [Fact]
    public void The_stored_weights_are_the_float_weights_transposed_within_half_a_step_per_gate_row()
    {
        var model = TestModelCatalog.LstmStack(bidirectional: true);
        var outcome = QuantizeModel(model, name: "lstm-layout");
        var initializers = outcome.Model.Graph.Initializer.ToDictionary(t => t.Name);
        var original = model.Graph.Initializer.Single(t => t.Name == "l0.W");
        var values = initializers.Values.Single(t => t.Name.StartsWith("l0.W_transposed_quantized", StringComparison.Ordinal));
        var scales = initializers.Values.Single(t => t.Name.StartsWith("l0.W_scale", StringComparison.Ordinal)).ReadFloats();

        int directions = 2, gateRows = 4 * TestModelCatalog.LstmHidden, inputSize = TestModelCatalog.LstmInputSize;
        Assert.Equal([directions, inputSize, gateRows], values.Dims);
        Assert.Equal([directions, gateRows], initializers.Values.Single(t => t.Name.StartsWith("l0.W_scale", StringComparison.Ordinal)).Dims);
        var floats = original.ReadFloats();
        var bytes = values.RawData.Span;
        for (int d = 0; d < directions; d++)
        {
            for (int row = 0; row < gateRows; row++)
            {
                float scale = scales[(d * gateRows) + row];
                for (int column = 0; column < inputSize; column++)
                {
                    float w = floats[(((d * gateRows) + row) * inputSize) + column];
                    float stored = (sbyte)bytes[(((d * inputSize) + column) * gateRows) + row] * scale;
                    Assert.True(Math.Abs(w - stored) <= (scale / 2) + 1e-7f, $"direction {d}, gate row {row}, input {column}: {w} vs {stored}");
                }
            }
        }
    }

    [Fact]
    public void An_explicit_layout_zero_is_dropped_because_the_fused_kernel_has_no_such_attribute()
    {
        var model = TestModelCatalog.LstmStack(bidirectional: false);
        foreach (var lstm in model.Graph.Node.Where(n => n.OpType == "LSTM"))
        {
            lstm.Attribute.Add(Int("layout", 0));
        }

        var outcome = QuantizeModel(model, name: "lstm-attributes");

        var fused = outcome.Model.Graph.Node.Where(n => n.OpType == "DynamicQuantizeLSTM").ToList();
        Assert.Equal(2, fused.Count);
        Assert.All(fused, n => Assert.DoesNotContain(n.Attribute, a => a.Name == "layout"));
        var inputs = Inputs(40, 7, directions: 1, condition: null);
        Assert.True(Similarity.Cosine(OrtRunner.Run(model, inputs)["y"], OrtRunner.Run(outcome.OutputPath, inputs)["y"]) >= MinimumCosine);
    }

    [Fact]
    public void A_gru_stays_float_and_the_summary_says_there_is_no_fused_kernel()
    {
        var b = new ModelBuilder(opset: 14, seed: 5);
        var x = b.Input("x", DataType.Float, "seq", 1, 16);
        var gru = b.NodeWithOutputs("GRU", [x, b.RandomInitializer("W", 0.2f, 1, 96, 16), b.RandomInitializer("R", 0.2f, 1, 96, 32)], 2, "gru", ["Y", "y"], Int("hidden_size", 32));
        b.Output(gru[1], DataType.Float, 1, 1, 32);

        var outcome = QuantizeModel(b.Model, name: "gru");

        Assert.Equal(1, Count(outcome.Model, "GRU"));
        Assert.Contains(outcome.Result.Notes, n => n.Contains("GRU left in float", StringComparison.Ordinal) && n.Contains("no fused integer GRU kernel", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(16000, 512)]
    [InlineData(8000, 256)]
    public void Silero_vad_streams_the_same_speech_probabilities_with_its_eight_lstms_fused(long sampleRate, int chunk)
    {
        var outcome = QuantizeFile(NpmModels.SileroVad, folder: RealModels.ScratchFolder("silero-vad"));

        Assert.Equal(8, Count(outcome.Model, "DynamicQuantizeLSTM"));
        Assert.Equal(0, Count(outcome.Model, "LSTM"));

        // One stream through both models, each carrying its own state from chunk to chunk as an app does.
        using var floatSession = OrtRunner.Open(outcome.InputPath);
        using var quantizedSession = OrtRunner.Open(outcome.OutputPath);
        var floatState = (H: new float[128], C: new float[128]);
        var quantizedState = floatState;
        double worst = 0;
        var probabilities = new List<float>();
        var audio = SpeechLikeAudio(sampleRate, chunks: 40, chunk);
        for (int i = 0; i < 40; i++)
        {
            var samples = audio[(i * chunk)..((i + 1) * chunk)];
            var expected = Step(floatSession, samples, sampleRate, ref floatState);
            var actual = Step(quantizedSession, samples, sampleRate, ref quantizedState);
            worst = Math.Max(worst, Math.Abs(expected - actual));
            probabilities.Add(expected);
        }

        output.WriteLine($"{sampleRate} Hz: float speech probability {probabilities.Min():F3}–{probabilities.Max():F3}, largest difference {worst:F4}, state cosine {Similarity.Cosine(floatState.H, quantizedState.H):F5}");
        Assert.True(worst <= 0.02, $"speech probability differs by up to {worst:F4}");
        Assert.True(Similarity.Cosine(floatState.H, quantizedState.H) >= MinimumCosine);
        Assert.True(Similarity.Cosine(floatState.C, quantizedState.C) >= MinimumCosine);
    }

    private static float Step(Microsoft.ML.OnnxRuntime.InferenceSession session, float[] samples, long sampleRate, ref (float[] H, float[] C) state)
    {
        var outputs = OrtRunner.Run(session, new Dictionary<string, OrtRunner.Input>
        {
            ["input"] = OrtRunner.Floats(samples, 1, samples.Length),
            ["sr"] = new(new[] { sampleRate }, []),
            ["h"] = OrtRunner.Floats(state.H, 2, 1, 64),
            ["c"] = OrtRunner.Floats(state.C, 2, 1, 64),
        });
        state = (outputs["hn"], outputs["cn"]);
        return outputs["output"][0];
    }

    /// <summary>
    /// Quiet noise with voiced stretches: a harmonic series on a gliding pitch (110–220 Hz) under a slow
    /// syllable envelope, the signal a voice-activity detector is trained to tell from its background.
    /// </summary>
    private static float[] SpeechLikeAudio(long sampleRate, int chunks, int chunk)
    {
        var random = new Random(17);
        var audio = new float[chunks * chunk];
        double phase = 0;
        for (int n = 0; n < audio.Length; n++)
        {
            double t = n / (double)sampleRate;
            bool voiced = ((int)(t / 0.4) % 2) == 1;
            double pitch = 110 + (110 * (0.5 + (0.5 * Math.Sin(2 * Math.PI * 0.7 * t))));
            phase += 2 * Math.PI * pitch / sampleRate;
            double voice = 0;
            for (int harmonic = 1; harmonic <= 12; harmonic++)
            {
                voice += Math.Sin(harmonic * phase) / harmonic;
            }

            double envelope = voiced ? 0.3 * Math.Abs(Math.Sin(2 * Math.PI * 4 * t)) : 0;
            audio[n] = (float)((envelope * voice) + (0.005 * ((random.NextDouble() * 2) - 1)));
        }

        return audio;
    }

    private static Dictionary<string, OrtRunner.Input> Inputs(int length, int seed, int directions, bool? condition)
    {
        var states = RandomFloats(directions * TestModelCatalog.LstmHidden, seed + 100, 0.5f);
        var inputs = new Dictionary<string, OrtRunner.Input>
        {
            ["x"] = OrtRunner.Floats(TestModelCatalog.LstmSequence(length, seed), length, 1, TestModelCatalog.LstmInputSize),
            ["h0"] = OrtRunner.Floats(states, directions, 1, TestModelCatalog.LstmHidden),
            ["c0"] = OrtRunner.Floats([.. states.Reverse()], directions, 1, TestModelCatalog.LstmHidden),
        };
        if (condition is { } c)
        {
            inputs["cond"] = new(new[] { c }, []);
        }

        return inputs;
    }
}
