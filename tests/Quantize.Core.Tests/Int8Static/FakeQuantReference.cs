using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// What a static INT8 model should compute, built independently of the pass from REFERENCE.md's formulas: the float
/// model with each named weight rounded to symmetric int8 per output channel along the axis the test names (−127..127,
/// scale max|w|/127), each named bias rounded to int32 at input_scale × weight_scale, and a standard
/// QuantizeLinear→DequantizeLinear pair (uint8, asymmetric, from the exact calibrated range widened to hold 0) after
/// each named activation. ONNX Runtime runs it with every graph optimization off, so it is plain float arithmetic
/// with explicit rounding.
/// </summary>
internal static class FakeQuantReference
{
    /// <summary>A weighted op's constant weight, its output-channel axis, optional bias, and the activation it reads.</summary>
    public sealed record Weight(string Name, int Axis, string? Bias, string Input);

    /// <summary>(scale, zero point) of a uint8 asymmetric activation with <paramref name="range"/>.</summary>
    public static (float Scale, byte ZeroPoint) Activation(TensorRange range)
    {
        double min = Math.Min(range.Min, 0), max = Math.Max(range.Max, 0);
        float scale = (float)((max - min) / 255);
        if (scale < 1.17549435e-38f)
        {
            return (1f, 0);
        }

        return (scale, (byte)Math.Clamp(Math.Round(0 - (min / scale), MidpointRounding.ToEven), 0, 255));
    }

    public static ModelProto Build(ModelProto floatModel, ActivationRanges ranges, IReadOnlyList<string> activations, IReadOnlyList<Weight> weights)
    {
        var model = floatModel.Clone();
        var graph = model.Graph;
        foreach (var weight in weights)
        {
            var tensor = graph.Initializer.Single(t => t.Name == weight.Name);
            var (rounded, scales) = RoundPerChannel(tensor.ReadFloats(), [.. tensor.Dims], weight.Axis);
            Replace(graph, TensorValues.FromFloats(weight.Name, tensor.Dims, rounded));
            if (weight.Bias is { } biasName)
            {
                var bias = graph.Initializer.Single(t => t.Name == biasName).ReadFloats();
                float inputScale = Activation(ranges.Ranges[weight.Input]).Scale;
                var roundedBias = bias.Select((b, c) =>
                {
                    float scale = inputScale * scales[c];
                    return (float)(Math.Round(b / scale, MidpointRounding.ToEven) * scale);
                }).ToArray();
                Replace(graph, TensorValues.FromFloats(biasName, [bias.Length], roundedBias));
            }
        }

        foreach (var activation in activations)
        {
            InsertPair(graph, activation, Activation(ranges.Ranges[activation]));
        }

        return model;
    }

    /// <summary>Runs <paramref name="model"/> with every graph optimization off.</summary>
    public static Dictionary<string, float[]> Run(ModelProto model, IReadOnlyDictionary<string, OrtRunner.Input> inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(model.ToByteArray(), options);
        return OrtRunner.Run(session, inputs);
    }

    private static (float[] Values, float[] Scales) RoundPerChannel(float[] values, long[] dims, int axis)
    {
        long inner = dims.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        int channels = (int)dims[axis];
        int Channel(long i) => (int)(i / inner % channels);
        var scales = new float[channels];
        for (long i = 0; i < values.Length; i++)
        {
            scales[Channel(i)] = Math.Max(scales[Channel(i)], Math.Abs(values[i]));
        }

        for (int c = 0; c < channels; c++)
        {
            scales[c] = scales[c] == 0 ? 1f : (float)(scales[c] / 127.0);
        }

        var rounded = new float[values.Length];
        for (long i = 0; i < values.Length; i++)
        {
            float scale = scales[Channel(i)];
            rounded[i] = (float)(Math.Clamp(Math.Round(values[i] / scale, MidpointRounding.ToEven), -127, 127) * scale);
        }

        return (rounded, scales);
    }

    private static void Replace(GraphProto graph, TensorProto tensor)
    {
        int index = graph.Initializer.ToList().FindIndex(t => t.Name == tensor.Name);
        graph.Initializer[index] = tensor;
    }

    /// <summary>QuantizeLinear→DequantizeLinear after <paramref name="tensor"/>; its readers (or the graph output) take the rounded value.</summary>
    private static void InsertPair(GraphProto graph, string tensor, (float Scale, byte ZeroPoint) parameters)
    {
        string scale = tensor + "_ref_scale", zeroPoint = tensor + "_ref_zero_point", quantized = tensor + "_ref_q";
        string source = tensor, rounded = tensor + "_ref_dq";
        if (graph.Output.Any(o => o.Name == tensor))
        {
            // The graph output keeps its name: its producer writes a new one, and the pair writes the output.
            source = tensor + "_ref_raw";
            foreach (var node in graph.Node)
            {
                for (int i = 0; i < node.Output.Count; i++)
                {
                    if (node.Output[i] == tensor)
                    {
                        node.Output[i] = source;
                    }
                }
            }

            rounded = tensor;
        }
        else
        {
            foreach (var node in graph.Node)
            {
                for (int i = 0; i < node.Input.Count; i++)
                {
                    if (node.Input[i] == tensor)
                    {
                        node.Input[i] = rounded;
                    }
                }
            }
        }

        graph.Initializer.Add(TensorValues.Scalar(scale, parameters.Scale));
        graph.Initializer.Add(TensorValues.Create(zeroPoint, DataType.Uint8, [], [parameters.ZeroPoint]));
        graph.Node.Add(new NodeProto { OpType = "QuantizeLinear", Name = tensor + "_ref_quantize", Input = { source, scale, zeroPoint }, Output = { quantized } });
        graph.Node.Add(new NodeProto { OpType = "DequantizeLinear", Name = tensor + "_ref_dequantize", Input = { quantized, scale, zeroPoint }, Output = { rounded } });
    }
}
