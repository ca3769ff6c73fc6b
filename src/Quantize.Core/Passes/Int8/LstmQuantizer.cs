using Quantize.Core.Graph;
using Quantize.Core.Numerics;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// LSTM with constant W and R → ONNX Runtime's fused com.microsoft DynamicQuantizeLSTM, which quantizes the
/// activations of each step at run time and multiplies them by int8 weights. The kernel wants the weights
/// transposed from the ONNX layout: W [directions, 4·hidden, input] becomes [directions, input, 4·hidden]
/// and R [directions, 4·hidden, hidden] becomes [directions, hidden, 4·hidden]. Scales are always one per
/// gate row ([directions, 4·hidden], zero points all 0): the input, output, forget and cell gates of one LSTM
/// are trained to different ranges, and the kernel costs the same either way. Bias, sequence lengths,
/// initial states, peepholes and every attribute pass through unchanged.
/// </summary>
internal sealed class LstmQuantizer : IDynamicOpQuantizer
{
    private const int Gates = 4;

    public string OpType => "LSTM";

    public bool TryQuantize(NodeProto node, Int8RewriteScope scope, Int8Rewrite rewrite)
    {
        if (node.Input.Count < 3 || rewrite.Weights.Find(scope, node.Input[1]) is not { } w || rewrite.Weights.Find(scope, node.Input[2]) is not { } r
            || !rewrite.IsQuantizableFloatWeight(w, rank: 3, out var wValues, out _)
            || !rewrite.IsQuantizableFloatWeight(r, rank: 3, out var rValues, out _))
        {
            return false;
        }

        int directions = (int)w.Tensor.Dims[0];
        int gateRows = (int)w.Tensor.Dims[1];
        int inputSize = (int)w.Tensor.Dims[2];
        int hidden = gateRows / Gates;
        bool shapesAgree = gateRows == Gates * hidden && hidden > 0
            && r.Tensor.Dims[0] == directions && r.Tensor.Dims[1] == gateRows && r.Tensor.Dims[2] == hidden
            && directions == (NodeAttributes.Find(node, "direction")?.S.ToStringUtf8() == "bidirectional" ? 2 : 1)
            && (NodeAttributes.Find(node, "hidden_size")?.I ?? hidden) == hidden;
        if (!shapesAgree)
        {
            return Skip(node, rewrite, "its W, R, direction and hidden_size do not agree, so the model is left as exported");
        }

        var wNames = rewrite.Weights.GetOrCreate(w, "lstm", () => AddTransposed(rewrite, w, wValues, directions, gateRows, inputSize));
        var rNames = rewrite.Weights.GetOrCreate(r, "lstm", () => AddTransposed(rewrite, r, rValues, directions, gateRows, hidden));

        var fused = rewrite.NewNode("DynamicQuantizeLSTM", $"{Int8Rewrite.Stem(node)}_quant", FusedInputs(node, wNames, rNames), node.Output, Opsets.Microsoft);
        fused.Attribute.AddRange(node.Attribute.Select(a => a.Clone()));
        if (NodeAttributes.Find(fused, "layout") is { } layoutZero)
        {
            // LSTM-14's attribute is not part of the contrib op's schema. It is 0 here: ONNX Runtime refuses to
            // load batch-first (layout=1) recurrent ops at all, and a model it cannot load is refused earlier.
            fused.Attribute.Remove(layoutZero);
        }

        Opsets.Ensure(rewrite.Context.Model, Opsets.Microsoft, 1);
        scope.Add(fused);
        scope.Replace(node);
        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }

    /// <summary>
    /// X, W, R, then B, sequence_lens, initial_h, initial_c and P where the LSTM has them (empty names keep
    /// the positions), then W_scale, W_zero_point, R_scale, R_zero_point.
    /// </summary>
    private static IEnumerable<string> FusedInputs(NodeProto node, QuantizedWeightNames w, QuantizedWeightNames r)
    {
        yield return node.Input[0];
        yield return w.Values;
        yield return r.Values;
        for (int i = 3; i <= 7; i++)
        {
            yield return i < node.Input.Count ? node.Input[i] : string.Empty;
        }

        yield return w.Scale;
        yield return w.ZeroPoint;
        yield return r.Scale;
        yield return r.ZeroPoint;
    }

    /// <summary>
    /// Quantizes each direction's [4·hidden, columns] matrix transposed to [columns, 4·hidden] with one scale per
    /// gate row (a column of the transposed matrix), and stores values, scales and zero points.
    /// </summary>
    private static QuantizedWeightNames AddTransposed(Int8Rewrite rewrite, ConstantWeight weight, ReadOnlyMemory<float> values, int directions, int gateRows, int columns)
    {
        int perDirection = gateRows * columns;
        var quantized = new byte[values.Length];
        var scales = new float[directions * gateRows];
        for (int d = 0; d < directions; d++)
        {
            var transposed = MatrixTranspose.Of(values.Span.Slice(d * perDirection, perDirection), gateRows, columns);
            var statistics = SymmetricWeights.Measure(transposed, columns, gateRows);
            var matrix = SymmetricWeights.Quantize(transposed, columns, gateRows, perColumn: true, statistics);
            matrix.Values.CopyTo(quantized, d * perDirection);
            matrix.Scales.CopyTo(scales, d * gateRows);
        }

        var names = new QuantizedWeightNames(
            rewrite.Fresh($"{weight.Name}_transposed_quantized"),
            rewrite.Fresh($"{weight.Name}_scale"),
            rewrite.Fresh($"{weight.Name}_zero_point"));
        long[] parameterDims = [directions, gateRows];
        Int8Initializers.Store(rewrite, weight, names, new QuantizedMatrix(quantized, scales), [directions, columns, gateRows], parameterDims, parameterDims);
        return names;
    }

    private static bool Skip(NodeProto node, Int8Rewrite rewrite, string reason)
    {
        rewrite.Skip("LSTM", reason);
        rewrite.Context.Result.Notes.Add($"LSTM '{Int8Rewrite.Stem(node)}': {reason}.");
        return false;
    }
}
