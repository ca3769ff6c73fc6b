using Google.Protobuf;
using Quantize.Core.Onnx;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

/// <summary>
/// LSTMs as PyTorch's exporter writes nn.LSTM: W [directions, 4·hidden, input], R [directions, 4·hidden, hidden]
/// and B [directions, 8·hidden] as initializers with PyTorch's U(−1/√hidden, 1/√hidden) initialization, no
/// sequence_lens (an empty input name), initial states as graph inputs, no peepholes, and between stacked
/// layers the Transpose → Reshape that turns Y [sequence, directions, batch, hidden] into the next input.
/// </summary>
public static partial class TestModelCatalog
{
    /// <summary>The feature size of <see cref="LstmStack"/>'s input x [sequence, 1, LstmInputSize].</summary>
    public const int LstmInputSize = 40;

    /// <summary>The hidden size of every LSTM in <see cref="LstmStack"/>.</summary>
    public const int LstmHidden = 64;

    /// <summary>
    /// Two stacked LSTM layers: x [seq, 1, 40], h0/c0 [directions, 1, 64] → LSTM → Transpose → Reshape → LSTM
    /// → y [seq, 1, directions·64] and h [directions, 1, 64]. With <paramref name="insideIf"/>, the stack is
    /// the then-branch of an If on input cond, reading its weights from the branch's own initializers, and the
    /// else-branch is one LSTM reading the main graph's weights (the voice-activity models' layout); the If
    /// gives y only.
    /// </summary>
    public static ModelProto LstmStack(bool bidirectional, bool insideIf = false, long opset = 14)
    {
        int directions = bidirectional ? 2 : 1;
        var b = new ModelBuilder(opset, seed: bidirectional ? 31 : 32);
        var x = b.Input("x", DataType.Float, "seq", 1, LstmInputSize);
        var h0 = b.Input("h0", DataType.Float, directions, 1, LstmHidden);
        var c0 = b.Input("c0", DataType.Float, directions, 1, LstmHidden);
        if (!insideIf)
        {
            var (y, h) = Stack(b, x, h0, c0, directions, "");
            Rename(b.Graph, y, "y");
            Rename(b.Graph, h, "h");
            b.Output("y", DataType.Float, "seq", 1, directions * LstmHidden);
            b.Output("h", DataType.Float, directions, 1, LstmHidden);
            return b.Model;
        }

        var cond = b.Input("cond", DataType.Bool);
        var thenBuilder = new ModelBuilder(opset, seed: 33, graph: new GraphProto { Name = "then_branch" });
        var (thenY, _) = Stack(thenBuilder, x, h0, c0, directions, "then.");
        thenBuilder.Output(thenY, DataType.Float, "seq", 1, directions * LstmHidden);

        var elseBuilder = new ModelBuilder(opset, seed: 34, graph: new GraphProto { Name = "else_branch" });
        var outer = LayerWeights(b, "outer.", LstmInputSize, directions);
        var (elseY, _) = Layer(elseBuilder, x, outer, h0, c0, directions, "else.");
        elseBuilder.Output(elseY, DataType.Float, "seq", 1, directions * LstmHidden);

        b.Node("If", [cond], "branch", "y", GraphAttribute("then_branch", thenBuilder.Graph), GraphAttribute("else_branch", elseBuilder.Graph));
        b.Output("y", DataType.Float, "seq", 1, directions * LstmHidden);
        return b.Model;
    }

    /// <summary>
    /// Smooth, speech-feature-like input for <see cref="LstmStack"/>: a few sinusoids per feature plus noise,
    /// [sequence, 1, 40] as a flat array.
    /// </summary>
    public static float[] LstmSequence(int length, int seed)
    {
        var random = new Random(seed);
        var values = new float[length * LstmInputSize];
        for (int f = 0; f < LstmInputSize; f++)
        {
            double frequency = 0.05 + (0.3 * random.NextDouble());
            double phase = random.NextDouble() * Math.PI * 2;
            double amplitude = 0.5 + random.NextDouble();
            for (int t = 0; t < length; t++)
            {
                values[(t * LstmInputSize) + f] = (float)((amplitude * Math.Sin((frequency * t) + phase)) + (0.1 * ((random.NextDouble() * 2) - 1)));
            }
        }

        return values;
    }

    private static (string Y, string H) Stack(ModelBuilder b, string x, string h0, string c0, int directions, string prefix)
    {
        var first = LayerWeights(b, prefix + "l0.", LstmInputSize, directions);
        var (y0, _) = Layer(b, x, first, h0, c0, directions, prefix + "l0.");
        var second = LayerWeights(b, prefix + "l1.", directions * LstmHidden, directions);
        return Layer(b, y0, second, "", "", directions, prefix + "l1.");
    }

    private static (string W, string R, string B) LayerWeights(ModelBuilder b, string prefix, int inputSize, int directions)
    {
        float bound = 1f / MathF.Sqrt(LstmHidden);
        return (
            b.RandomInitializer(prefix + "W", bound, directions, 4 * LstmHidden, inputSize),
            b.RandomInitializer(prefix + "R", bound, directions, 4 * LstmHidden, LstmHidden),
            b.RandomInitializer(prefix + "B", bound, directions, 8 * LstmHidden));
    }

    /// <summary>One LSTM and the reshape of its Y to [seq, 1, directions·hidden]; returns that and Y_h.</summary>
    private static (string Y, string H) Layer(ModelBuilder b, string input, (string W, string R, string B) weights, string h0, string c0, int directions, string prefix)
    {
        string[] inputs = h0.Length > 0 ? [input, weights.W, weights.R, weights.B, "", h0, c0] : [input, weights.W, weights.R, weights.B];
        var direction = new AttributeProto { Name = "direction", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(directions == 2 ? "bidirectional" : "forward") };
        var outputs = b.NodeWithOutputs("LSTM", inputs, 3, prefix + "lstm", [prefix + "Y", prefix + "Y_h", prefix + "Y_c"], Int("hidden_size", LstmHidden), direction);
        var transposed = b.Node("Transpose", [outputs[0]], prefix + "transpose", null, Ints("perm", 0, 2, 1, 3));
        var y = b.Node("Reshape", [transposed, b.Int64Initializer(prefix + "shape", [0, 0, -1], 3)], prefix + "reshape", prefix + "y");
        return (y, outputs[1]);
    }

    private static void Rename(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (int i = 0; i < node.Output.Count; i++)
            {
                if (node.Output[i] == from)
                {
                    node.Output[i] = to;
                }
            }
        }
    }
}
