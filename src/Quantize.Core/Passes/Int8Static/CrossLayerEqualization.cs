using System.Globalization;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// Cross-layer equalization (Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias Correction",
/// 2019, §4.1): for two Convs A → f → B where f works channel by channel and is positive-homogeneous (f(x/s) = f(x)/s
/// for s &gt; 0: Relu, LeakyRelu, MaxPool, AveragePool, a chain of them, or nothing), dividing A's output channel i
/// (weights and bias) by sᵢ and multiplying B's weights that read channel i by sᵢ computes the same function. With
/// sᵢ = √(r₁ᵢ / r₂ᵢ), where r₁ᵢ is the largest |weight| of A's output channel i and r₂ᵢ that of B's weights reading it,
/// both become √(r₁ᵢ r₂ᵢ): channels with tiny weights stop wasting an 8-bit grid sized for the largest one, and the
/// activation between them is rescaled channel by channel.
/// Chains (A → B → C) share a Conv between pairs, so the pairs are swept until the scales settle, as the paper does.
/// </summary>
/// <remarks>
/// Relu6 (<c>Clip(0, 6)</c>), which mobile networks use, is not homogeneous: clip(x/s, 0, 6) ≠ clip(x, 0, 6)/s. With
/// <see cref="EqualizationScope.ReplaceRelu6"/> the pairs across it are equalized after turning it into Relu, as Nagel
/// et al. do; that changes the float function wherever a value exceeded 6, so the quantized model is still judged
/// against the original float model. It runs on the pre-processed graph (BatchNormalization folded), before
/// calibration, so the ranges are those of the equalized graph.
/// </remarks>
internal static class CrossLayerEqualization
{
    /// <summary>Sweeps over all pairs at most; the paper's chains settle in a few.</summary>
    public const int MaxSweeps = 20;

    /// <summary>A sweep whose scales are all within 1 ± this of 1 (|log sᵢ| below it) ends the iteration.</summary>
    public const double Settled = 1e-4;

    /// <summary>One Conv → f → Conv pair; <see cref="Between"/> holds f's nodes in order, none when A feeds B directly.</summary>
    internal sealed record Pair(NodeProto First, IReadOnlyList<NodeProto> Between, NodeProto Second);

    /// <summary>Equalizes every eligible pair of <paramref name="model"/>'s main graph in place; returns the pairs equalized.</summary>
    public static int Apply(ModelProto model, EqualizationScope scope)
    {
        if (scope == EqualizationScope.None)
        {
            return 0;
        }

        var index = new GraphIndex(model.Graph);
        var pairs = Find(index, scope);
        if (pairs.Count == 0)
        {
            return 0;
        }

        var weights = new Dictionary<string, ConvWeight>(StringComparer.Ordinal);
        ConvWeight Weight(NodeProto conv) => weights.TryGetValue(conv.Name, out var w) ? w : weights[conv.Name] = ConvWeight.Read(conv, index);
        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double largest = 0;
            foreach (var pair in pairs)
            {
                largest = Math.Max(largest, Equalize(Weight(pair.First), Weight(pair.Second)));
            }

            if (largest < Settled)
            {
                break;
            }
        }

        foreach (var weight in weights.Values)
        {
            weight.Write(index);
        }

        // The bounds these Clips read go with the writer's tidy-up of unused initializers (UnusedDefinitions).
        foreach (var clip in pairs.SelectMany(p => p.Between).Where(a => a.OpType == "Clip"))
        {
            ToRelu(clip);
        }

        return pairs.Count;
    }

    /// <summary>The summary's note on an equalized pre-processed <paramref name="model"/>: how many pairs it rescaled.</summary>
    public static string Describe(ModelProto model, EqualizationScope scope)
    {
        // The pairs are still there after equalization (a replaced Relu6 is a Relu now), so counting them again is exact.
        int pairs = Find(new GraphIndex(model.Graph), EqualizationScope.Exact).Count;
        var across = scope == EqualizationScope.ReplaceRelu6 ? "Relu, LeakyRelu, Relu6 (made Relu), pooling or nothing" : "Relu, LeakyRelu, pooling or nothing";
        return pairs == 0
            ? $"Cross-layer equalization found no Conv → {across} → Conv pair to rescale."
            : string.Create(CultureInfo.InvariantCulture, $"Cross-layer equalization rescaled {pairs} Conv → {across} → Conv pair(s) before calibration.");
    }

    /// <summary>The pairs <paramref name="scope"/> equalizes, in graph order.</summary>
    internal static List<Pair> Find(GraphIndex index, EqualizationScope scope)
    {
        var pairs = new List<Pair>();
        foreach (var first in index.Graph.Node.Where(n => IsPlainConv(n, index)))
        {
            var between = new List<NodeProto>();
            var next = SoleReader(index, first.Output[0]);
            while (next is not null && IsHomogeneous(next, index, scope))
            {
                between.Add(next);
                next = SoleReader(index, next.Output[0]);
            }

            if (next is not null && IsPlainConv(next, index) && next.Input[0] == (between.Count > 0 ? between[^1] : first).Output[0]
                && ConvWeight.Channels(first, index) is { } written && ConvWeight.Channels(next, index) is { } read && written.Outputs == read.Inputs)
            {
                pairs.Add(new Pair(first, between, next));
            }
        }

        return pairs;
    }

    /// <summary>Rescales the channels between <paramref name="first"/> and <paramref name="second"/>; returns the largest |log sᵢ|.</summary>
    private static double Equalize(ConvWeight first, ConvWeight second)
    {
        double largest = 0;
        for (int channel = 0; channel < first.OutputChannelCount; channel++)
        {
            double r1 = first.OutputRange(channel), r2 = second.InputRange(channel);
            if (!(r1 > 0) || !(r2 > 0) || !double.IsFinite(r1) || !double.IsFinite(r2))
            {
                continue; // a dead channel carries nothing to balance
            }

            double scale = Math.Sqrt(r1 / r2);
            first.ScaleOutput(channel, 1 / scale);
            second.ScaleInput(channel, scale);
            largest = Math.Max(largest, Math.Abs(Math.Log(scale)));
        }

        return largest;
    }

    /// <summary>A default-domain Conv with a constant float weight (and bias) that no other node reads, one output.</summary>
    private static bool IsPlainConv(NodeProto node, GraphIndex index) =>
        node.OpType == "Conv" && node.Domain is ("" or "ai.onnx") && node.Output.Count == 1 && node.Input.Count >= 2
        && OwnFloatInitializer(index, node.Input[1]) && (node.Input.Count < 3 || node.Input[2].Length == 0 || OwnFloatInitializer(index, node.Input[2]));

    private static bool OwnFloatInitializer(GraphIndex index, string name) =>
        index.IsInitializer(name) && index.Consumers(name).Count == 1 && !index.IsGraphInput(name) && !index.IsGraphOutput(name)
        && index.Constant(name)!.ElementType() == DataType.Float;

    /// <summary>The one node reading <paramref name="tensor"/> when nothing else (no other node, no graph output) does.</summary>
    private static NodeProto? SoleReader(GraphIndex index, string tensor) =>
        !index.IsGraphOutput(tensor) && index.Consumers(tensor) is [var only] && only.Domain is ("" or "ai.onnx") ? only : null;

    /// <summary>Channel by channel and f(x/s) = f(x)/s for s &gt; 0 (pools: a channel's maximum or mean of x/s is its own divided by s).</summary>
    private static bool IsHomogeneous(NodeProto node, GraphIndex index, EqualizationScope scope) => node.OpType switch
    {
        "Relu" or "LeakyRelu" or "MaxPool" or "AveragePool" => node.Input[0].Length > 0 && node.Output.Count == 1,
        "Clip" => scope == EqualizationScope.ReplaceRelu6 && IsRelu6(node, index),
        _ => false,
    };

    /// <summary>Clip with constant bounds 0 and 6.</summary>
    private static bool IsRelu6(NodeProto clip, GraphIndex index) => ClipBounds.Of(clip, index.Constant) == (0f, 6f);

    /// <summary>Clip(x, 0, 6) becomes Relu(x): same input and output, no bounds.</summary>
    private static void ToRelu(NodeProto clip)
    {
        var input = clip.Input[0];
        clip.OpType = "Relu";
        clip.Input.Clear();
        clip.Input.Add(input);
        clip.Attribute.Clear();
    }

    /// <summary>One Conv's weight [M, C/group, k…] and bias [M] as mutable float arrays.</summary>
    private sealed class ConvWeight
    {
        private readonly NodeProto _conv;
        private readonly float[] _weight;
        private readonly float[]? _bias;
        private readonly long[] _dims;
        private readonly int _group;

        private ConvWeight(NodeProto conv, float[] weight, float[]? bias, long[] dims, int group)
        {
            (_conv, _weight, _bias, _dims, _group) = (conv, weight, bias, dims, group);
        }

        public int OutputChannelCount => (int)_dims[0];

        private int PerOutput => _weight.Length / (int)_dims[0];

        private int InputsPerGroup => (int)_dims[1];

        private int OutputsPerGroup => (int)_dims[0] / _group;

        public static ConvWeight Read(NodeProto conv, GraphIndex index)
        {
            var weight = index.Constant(conv.Input[1])!;
            var bias = conv.Input.Count > 2 && conv.Input[2].Length > 0 ? index.Constant(conv.Input[2])!.ReadFloats() : null;
            return new ConvWeight(conv, weight.ReadFloats(), bias, [.. weight.Dims], Group(conv));
        }

        /// <summary>
        /// The channels the Conv writes and reads, or null when its weight is not [M, C/group, k…] holding as many values
        /// as its shape says, with M divisible by a group of at least 1 and a bias of M values: a malformed model is left as it is
        /// rather than indexed out of range.
        /// </summary>
        public static (long Outputs, long Inputs)? Channels(NodeProto conv, GraphIndex index)
        {
            var weight = index.Constant(conv.Input[1])!;
            int group = Group(conv);
            if (group < 1 || weight.Dims.Count < 3 || weight.Dims.Any(d => d <= 0) || !HoldsAll(weight) || weight.Dims[0] % group != 0)
            {
                return null;
            }

            var bias = conv.Input.Count > 2 && conv.Input[2].Length > 0 ? index.Constant(conv.Input[2])! : null;
            return bias is null || (bias.ElementCount() == weight.Dims[0] && HoldsAll(bias)) ? (weight.Dims[0], weight.Dims[1] * group) : null;
        }

        /// <summary>True when a FLOAT tensor's data holds exactly the values its dims say.</summary>
        private static bool HoldsAll(TensorProto tensor) =>
            tensor.RawData.IsEmpty ? tensor.FloatData.Count == tensor.ElementCount() : tensor.RawData.Length == 4 * tensor.ElementCount();

        /// <summary>The largest |w| of output channel <paramref name="channel"/>.</summary>
        public double OutputRange(int channel) => MaxAbs(_weight.AsSpan(channel * PerOutput, PerOutput));

        /// <summary>The largest |w| over the weights that read input channel <paramref name="channel"/>.</summary>
        public double InputRange(int channel)
        {
            double range = 0;
            foreach (int offset in InputOffsets(channel))
            {
                range = Math.Max(range, MaxAbs(_weight.AsSpan(offset, Kernel)));
            }

            return range;
        }

        public void ScaleOutput(int channel, double factor)
        {
            Scale(_weight.AsSpan(channel * PerOutput, PerOutput), factor);
            if (_bias is not null)
            {
                _bias[channel] = (float)(_bias[channel] * factor);
            }
        }

        public void ScaleInput(int channel, double factor)
        {
            foreach (int offset in InputOffsets(channel))
            {
                Scale(_weight.AsSpan(offset, Kernel), factor);
            }
        }

        public void Write(GraphIndex index)
        {
            Replace(index, _conv.Input[1], _weight);
            if (_bias is not null)
            {
                Replace(index, _conv.Input[2], _bias);
            }
        }

        private int Kernel => PerOutput / InputsPerGroup;

        /// <summary>Where the kernels reading input channel c start: output channels of c's group, at c's place within it.</summary>
        private IEnumerable<int> InputOffsets(int channel)
        {
            int group = channel / InputsPerGroup, within = channel % InputsPerGroup;
            for (int output = group * OutputsPerGroup; output < (group + 1) * OutputsPerGroup; output++)
            {
                yield return (output * PerOutput) + (within * Kernel);
            }
        }

        private static int Group(NodeProto conv) => (int)(NodeAttributes.Find(conv, "group")?.I ?? 1);

        private static double MaxAbs(ReadOnlySpan<float> values) => values.IsEmpty ? 0 : Math.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(values));

        private static void Scale(Span<float> values, double factor)
        {
            foreach (ref float value in values)
            {
                value = (float)(value * factor);
            }
        }

        private static void Replace(GraphIndex index, string name, float[] values)
        {
            var old = index.Constant(name)!;
            var initializers = index.Graph.Initializer;
            int position = initializers.IndexOf(old);
            initializers[position] = TensorValues.FromFloats(old.Name, old.Dims, values);
        }
    }
}
