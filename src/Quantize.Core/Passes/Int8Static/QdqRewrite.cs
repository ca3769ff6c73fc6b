using Quantize.Core.Calibration;
using Quantize.Core.Graph;
using Quantize.Core.Numerics;
using Quantize.Core.Onnx;
using Quantize.Core.Passes.Int8;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// The state of one static (QDQ) rewrite of a model's main graph: which activations get a
/// QuantizeLinear→DequantizeLinear pair and with which parameters (decided node by node in topological
/// order, so a shape op can reuse its input's parameters), plus helpers that emit weights and biases.
/// Activation pairs are emitted at the end, once every consumer is known.
/// </summary>
internal sealed class QdqRewrite
{
    private readonly Dictionary<string, QuantizationParameters> _activations = new(StringComparer.Ordinal);
    private readonly List<string> _activationOrder = [];
    private readonly HashSet<string> _ownRangeMissing = new(StringComparer.Ordinal);

    private readonly IReadOnlySet<string> _integerOps;

    public QdqRewrite(PassContext context, ActivationRanges ranges, QdqFormat format, IReadOnlySet<string> integerOps)
    {
        _integerOps = integerOps;
        Context = context;
        Ranges = ranges;
        Format = format;
        Scope = new Int8RewriteScope(context.Model.Graph, outer: null);
        Weights = new WeightStore(context.Model);
        Names = new NameAllocator(context.Model);
    }

    public PassContext Context { get; }

    public ActivationRanges Ranges { get; }

    public QdqFormat Format { get; }

    /// <summary>The main graph, indexed before any change (consumer lookups see the original graph).</summary>
    public Int8RewriteScope Scope { get; }

    public WeightStore Weights { get; }

    /// <summary>Names unused in the pre-processed model (the context's allocator knew the original one).</summary>
    public NameAllocator Names { get; }

    /// <summary>Weights whose scales were raised so that their int32 bias fits.</summary>
    public SortedSet<string> RaisedWeightScales { get; } = new(StringComparer.Ordinal);

    /// <summary>Relu and Clip nodes whose work a QuantizeLinear now does.</summary>
    public HashSet<NodeProto> Absorbed { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Tensors a quantizable node needed a range for but the calibration did not provide.</summary>
    public IReadOnlySet<string> MissingRanges => _ownRangeMissing;

    public bool IsQuantized(string tensor) => _activations.ContainsKey(tensor);

    public QuantizationParameters ParametersOf(string tensor) => _activations[tensor];

    /// <summary>True when <paramref name="tensor"/> is already quantized or has a calibrated range.</summary>
    public bool CanQuantize(string tensor)
    {
        if (IsQuantized(tensor) || Ranges.TryGet(tensor, out _))
        {
            return true;
        }

        _ownRangeMissing.Add(tensor);
        return false;
    }

    /// <summary>Gives <paramref name="tensor"/> a Q/DQ pair from its calibrated range (first decision wins).</summary>
    public QuantizationParameters Quantize(string tensor)
    {
        if (!_activations.TryGetValue(tensor, out var p))
        {
            Ranges.TryGet(tensor, out var range);
            p = Format.ForActivation(Format.Options.ClipSaturatedRanges ? SaturatingReaders.Clip(range, tensor, Scope.Index) : range);
            Remember(tensor, p);
        }

        return p;
    }

    /// <summary>
    /// True when every reader of <paramref name="tensor"/> is an op this pass can run on integers (looking
    /// through a Relu or Clip that would be absorbed). Only then does quantizing the tensor pay: a
    /// QuantizeLinear whose value is dequantized straight into float ops adds error and time. Transformers
    /// show why: the residual stream and the GELU input carry outlier dimensions that 8 bits cannot hold.
    /// </summary>
    public bool FeedsIntegerOps(string tensor)
    {
        if (Scope.Index.IsGraphOutput(tensor))
        {
            return false;
        }

        var consumers = Scope.Index.Consumers(tensor);
        return consumers.Count > 0 && consumers.All(c =>
            IsStandardAndKept(c) && !MatMulBiasAdd.Matches(c, this)
            && (_integerOps.Contains(c.OpType) || (c.OpType is "Relu" or "Clip" && Absorbable(tensor) is not null && FeedsIntegerOps(c.Output[0]))));
    }

    /// <summary>True when <paramref name="node"/> is an op this pass can give an integer kernel (and the user did not exclude it).</summary>
    public bool IsIntegerOp(NodeProto node) => IsStandardAndKept(node) && _integerOps.Contains(node.OpType);

    /// <summary>A default-domain op the user did not exclude: the only kind this pass rewrites.</summary>
    private bool IsStandardAndKept(NodeProto node) => node.Domain is "" or "ai.onnx" && !Context.Excluded.Matches(node);

    /// <summary>Convs left in float because, between float ops, their integer kernel would be slower (<see cref="SlowConvIsland"/>).</summary>
    public List<string> SlowIslands { get; } = [];

    /// <summary>Gives <paramref name="output"/> the parameters of <paramref name="input"/> (shape and selection ops).</summary>
    public void Share(string output, string input) => Remember(output, _activations[input]);

    /// <summary>
    /// Where a node's output gets its Q/DQ: the output itself, or — when the only reader is a Relu or a Clip
    /// whose bounds bracket 0 and activations are asymmetric — that activation's output, whose calibrated
    /// range makes QuantizeLinear's clamp do the activation's work.
    /// </summary>
    public (string Tensor, NodeProto? Absorbed)? OutputTarget(NodeProto node)
    {
        var output = node.Output[0];
        if (Absorbable(output) is { } activation && CanQuantize(activation.Output[0]))
        {
            return (activation.Output[0], activation);
        }

        return CanQuantize(output) ? (output, null) : null;
    }

    /// <summary>Applies <see cref="OutputTarget"/>: drops the absorbed activation and quantizes the target.</summary>
    public void QuantizeOutput(NodeProto node, (string Tensor, NodeProto? Absorbed) target)
    {
        if (target.Absorbed is { } activation)
        {
            node.Output[0] = target.Tensor;
            Scope.Replace(activation);
            Absorbed.Add(activation);
        }

        Quantize(target.Tensor);
    }

    /// <summary>A constant operand dequantized from the activation type (per tensor, from its own values).</summary>
    public string DequantizedConstant(ConstantWeight constant, float[] values)
    {
        return Weights.GetOrCreate(constant, "qdq constant operand", () =>
        {
            var p = Format.ForConstantOperand(values);
            var (qmin, qmax) = Format.ActivationRange;
            var quantizedName = Names.Fresh($"{constant.Name}_quantized");
            if (Format.ActivationType == DataType.Uint8)
            {
                var q = new byte[values.Length];
                LinearQuantizer.QuantizeToUInt8(values, p, qmin, qmax, q);
                Weights.AddInitializer(constant.Owner, TensorValues.Create<byte>(quantizedName, DataType.Uint8, constant.Tensor.Dims, q));
            }
            else
            {
                var q = new sbyte[values.Length];
                LinearQuantizer.QuantizeToInt8(values, p, qmin, qmax, q);
                Weights.AddInitializer(constant.Owner, TensorValues.Create<sbyte>(quantizedName, DataType.Int8, constant.Tensor.Dims, q));
            }

            var (scale, zeroPoint) = ActivationParameterInitializers(constant.Name, p);
            return AddDequantize(quantizedName, scale, zeroPoint, $"{constant.Name}_dequantized", axis: null);
        });
    }

    /// <summary>Stores an int8 weight with its scale(s) and zero point(s) and returns the DequantizeLinear output.</summary>
    public string DequantizedWeight(ConstantWeight weight, QuantizedWeight quantized, int? axis, long[] dims)
    {
        var names = StoreWeight(weight, quantized, dims);
        return AddDequantize(names.Values, names.Scale, names.ZeroPoint, $"{weight.Name}_dequantized", quantized.PerChannel ? axis : null);
    }

    /// <summary>Stores an int8 weight's values, scale(s) and zero point(s) as initializers.</summary>
    public QuantizedWeightNames StoreWeight(ConstantWeight weight, QuantizedWeight quantized, long[] dims)
    {
        var names = new QuantizedWeightNames(Names.Fresh($"{weight.Name}_quantized"), Names.Fresh($"{weight.Name}_scale"), Names.Fresh($"{weight.Name}_zero_point"));
        long[] parameterDims = quantized.PerChannel ? [quantized.Parameters.Length] : [];
        Weights.AddInitializer(weight.Owner, TensorValues.Create<sbyte>(names.Values, DataType.Int8, dims, quantized.Values));
        Weights.AddInitializer(weight.Owner, TensorValues.FromFloats(names.Scale, parameterDims, quantized.Parameters.Select(p => p.Scale).ToArray()));
        Weights.AddInitializer(weight.Owner, TensorValues.Create<sbyte>(names.ZeroPoint, DataType.Int8, parameterDims, quantized.Parameters.Select(p => (sbyte)p.ZeroPoint).ToArray()));
        return names;
    }

    /// <summary>The int32 biases stored, in the order their nodes were quantized.</summary>
    public List<QuantizedBias> Biases { get; } = [];

    /// <summary>Stores <paramref name="node"/>'s int32 bias (zero point 0) and returns the DequantizeLinear output.</summary>
    public string DequantizedBias(NodeProto node, string biasName, int[] values, float[] scales, string stem)
    {
        var quantized = Names.Fresh($"{biasName}_{stem}_quantized");
        var scale = Names.Fresh($"{biasName}_{stem}_scale");
        var zeroPoint = Names.Fresh($"{biasName}_{stem}_zero_point");
        long[] parameterDims = scales.Length > 1 ? [scales.Length] : [];
        var tensor = TensorValues.Create<int>(quantized, DataType.Int32, [values.Length], values);
        Weights.AddInitializer(Scope, tensor);
        Biases.Add(new QuantizedBias(node, node.Output[0], tensor, values, scales));
        Weights.AddInitializer(Scope, TensorValues.FromFloats(scale, parameterDims, scales));
        Weights.AddInitializer(Scope, TensorValues.Create<int>(zeroPoint, DataType.Int32, parameterDims, new int[scales.Length]));
        return AddDequantize(quantized, scale, zeroPoint, $"{biasName}_{stem}_dequantized", scales.Length > 1 ? 0 : null);
    }

    /// <summary>
    /// Emits one QuantizeLinear→DequantizeLinear pair per quantized activation and points every reader of the
    /// activation at the dequantized copy (graph outputs keep their names and float type).
    /// </summary>
    public void EmitActivationPairs()
    {
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);
        var pairNodes = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var tensor in _activationOrder)
        {
            var (scale, zeroPoint) = ActivationParameterInitializers(tensor, _activations[tensor]);
            var source = tensor;
            var output = Names.Fresh($"{tensor}_dequantized");
            if (Scope.Index.IsGraphOutput(tensor) && Scope.Graph.Node.FirstOrDefault(n => n.Output.Contains(tensor)) is { } producer)
            {
                // A graph output keeps its name but is now written by the DequantizeLinear, so that the
                // producer's only reader is the QuantizeLinear and ONNX Runtime can fuse the two.
                source = Names.Fresh($"{tensor}_float");
                producer.Output[producer.Output.IndexOf(tensor)] = source;
                output = tensor;
            }

            var quantized = Names.Fresh($"{tensor}_quantized");
            var quantize = NewNode("QuantizeLinear", $"{tensor}_QuantizeLinear", [source, scale, zeroPoint], [quantized], Format.Domain);
            pairNodes.Add(quantize);
            var dequantize = NewNode("DequantizeLinear", $"{tensor}_DequantizeLinear", [quantized, scale, zeroPoint], [output], Format.Domain);
            pairNodes.Add(dequantize);
            if (output != tensor)
            {
                dequantized[tensor] = output;
            }
        }

        foreach (var node in Scope.Graph.Node)
        {
            if (pairNodes.Contains(node))
            {
                continue;
            }

            for (int i = 0; i < node.Input.Count; i++)
            {
                if (dequantized.TryGetValue(node.Input[i], out var replacement))
                {
                    node.Input[i] = replacement;
                }
            }
        }
    }

    public NodeProto NewNode(string opType, string hint, IEnumerable<string> inputs, IEnumerable<string> outputs, string domain = "")
    {
        var node = new NodeProto { OpType = opType, Name = Names.Fresh(hint), Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        Scope.Add(node);
        return node;
    }

    /// <summary>Adds a DequantizeLinear writing <paramref name="hint"/> (as is when <paramref name="exactName"/>, else a fresh name from it).</summary>
    public string AddDequantize(string quantized, string scale, string zeroPoint, string hint, int? axis, bool exactName = false)
    {
        var output = exactName ? hint : Names.Fresh(hint);
        var node = NewNode("DequantizeLinear", $"{hint}_DequantizeLinear", [quantized, scale, zeroPoint], [output], Format.Domain);
        if (axis is int a)
        {
            node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
        }

        return output;
    }

    private (string Scale, string ZeroPoint) ActivationParameterInitializers(string tensor, QuantizationParameters p)
    {
        var scale = Names.Fresh($"{tensor}_scale");
        var zeroPoint = Names.Fresh($"{tensor}_zero_point");
        Weights.AddInitializer(Scope, TensorValues.Scalar(scale, p.Scale));
        Weights.AddInitializer(Scope, Format.ActivationType == DataType.Uint8
            ? TensorValues.Create<byte>(zeroPoint, DataType.Uint8, [], [(byte)p.ZeroPoint])
            : TensorValues.Create<sbyte>(zeroPoint, DataType.Int8, [], [(sbyte)p.ZeroPoint]));
        return (scale, zeroPoint);
    }

    private void Remember(string tensor, QuantizationParameters p)
    {
        if (_activations.TryAdd(tensor, p))
        {
            _activationOrder.Add(tensor);
        }
    }

    /// <summary>The single Relu/Clip reading <paramref name="output"/> that QuantizeLinear can replace, if any.</summary>
    private NodeProto? Absorbable(string output)
    {
        if (!Format.CanAbsorbActivations || Scope.Index.IsGraphOutput(output))
        {
            return null;
        }

        var consumers = Scope.Index.Consumers(output);
        if (consumers.Count != 1)
        {
            return null;
        }

        var activation = consumers[0];
        // An activation writing a graph output is absorbed too: the pair then writes that output, at the clipped range
        // (left in float after the pair, it would waste the bits of the range it cuts off).
        if (activation.Domain is not ("" or "ai.onnx") || Context.Excluded.Matches(activation) || activation.Output.Count != 1
            || activation.Input[0] != output)
        {
            return null;
        }

        return activation.OpType switch
        {
            "Relu" => activation,
            "Clip" when ClipBracketsZero(activation) => activation,
            _ => null,
        };
    }

    /// <summary>
    /// Clip(min ≤ 0 ≤ max) with constant bounds: the calibrated output range then lies inside the bounds and
    /// includes 0, so QuantizeLinear's clamp to that range implies the Clip.
    /// </summary>
    private bool ClipBracketsZero(NodeProto clip) =>
        ClipBounds.Of(clip, name => Weights.Find(Scope, name)?.Tensor) is (var min, var max) && min <= 0 && max >= 0;
}
