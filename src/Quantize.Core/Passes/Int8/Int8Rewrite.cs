using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Int8;

/// <summary>Everything the per-op quantizers share while one model is rewritten.</summary>
internal sealed class Int8Rewrite
{
    public Int8Rewrite(PassContext context)
    {
        Context = context;
        Weights = new WeightStore(context.Model);
        DefaultOpset = Graph.Opsets.Version(context.Model, string.Empty);
    }

    public PassContext Context { get; }

    public WeightStore Weights { get; }

    /// <summary>The default-domain opset the model imports (never raised by this pass).</summary>
    public long DefaultOpset { get; }

    public QuantizeOptions Options => Context.Options;

    /// <summary>A fresh name derived from <paramref name="hint"/>.</summary>
    public string Fresh(string hint) => Context.Names.Fresh(hint);

    /// <summary>
    /// True when <paramref name="weight"/> is a float32 tensor of rank <paramref name="rank"/> (any rank if
    /// null) that is big enough to be worth quantizing and holds only finite values.
    /// </summary>
    public bool IsQuantizableFloatWeight(ConstantWeight weight, int? rank, out ReadOnlyMemory<float> values, out WeightStatistics statistics)
    {
        values = ReadOnlyMemory<float>.Empty;
        statistics = new WeightStatistics(AllFinite: true, []);
        var tensor = weight.Tensor;
        if (tensor.ElementType() != DataType.Float || (rank is not null && tensor.Dims.Count != rank) || tensor.Dims.Count == 0)
        {
            return false;
        }

        if (tensor.ElementCount() < Options.MinElements || tensor.ElementCount() == 0)
        {
            return false;
        }

        values = tensor.ReadFloatMemory();
        int columns = (int)tensor.Dims[^1];
        statistics = SymmetricWeights.Measure(values, values.Length / columns, columns);
        if (!statistics.AllFinite)
        {
            Context.Result.Warnings.Add(new Diagnostics.Diagnostic(ErrorCodes.NonFiniteWeight, Context.ModelPath,
                $"Weight '{weight.Name}' holds NaN or infinite values; it stays float."));
            return false;
        }

        return true;
    }

    /// <summary>Per-column scales for a K×N (rows×columns) weight: on request, or automatically for outlier columns.</summary>
    public bool PerColumn(ConstantWeight weight, WeightStatistics statistics)
    {
        if (Options.PerChannel)
        {
            return statistics.ColumnMaxMagnitude.Length > 1;
        }

        if (!SymmetricWeights.UsePerColumn(statistics, perChannelRequested: false))
        {
            return false;
        }

        OutlierWeights.Add(weight.Name);
        return true;
    }

    /// <summary>Weights that got per-column scales automatically because of outlier columns.</summary>
    public SortedSet<string> OutlierWeights { get; } = new(StringComparer.Ordinal);

    /// <summary>Records why a node of <paramref name="opType"/> was left in float (first reason per op type).</summary>
    public void Skip(string opType, string reason) => Context.Result.Skipped.TryAdd(opType, reason);

    /// <summary>A new node with fresh node name derived from <paramref name="hint"/>.</summary>
    public NodeProto NewNode(string opType, string hint, IEnumerable<string> inputs, IEnumerable<string> outputs, string domain = "")
    {
        var node = new NodeProto { OpType = opType, Name = Fresh(hint), Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    /// <summary>A readable stem for names derived from <paramref name="node"/>.</summary>
    public static string Stem(NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output[0];
}
