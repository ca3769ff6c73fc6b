using System.Globalization;
using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int8;

/// <summary>
/// Gemm(A, B constant, C) with transA = 0 → the same fused chain as MatMul, so it gets the same fast kernel:
/// Y = alpha·A·B' + beta·C becomes chain(A, quantize(alpha·B')) + beta·C. B' is B transposed at
/// quantization time when transB = 1; alpha is folded into the quantized weight (its scale absorbs |alpha|);
/// beta·C goes through an Add, pre-multiplied when C is constant, which ONNX Runtime folds into the
/// kernel as its bias when C is 1-D.
/// </summary>
internal sealed class GemmQuantizer : IDynamicOpQuantizer
{
    public string OpType => "Gemm";

    public bool TryQuantize(NodeProto node, Int8RewriteScope scope, Int8Rewrite rewrite)
    {
        // Gemm's inputs share one type constraint, so a float32 weight implies a float32 activation:
        // no type inference needed (it would cost an ONNX Runtime session over the whole model).
        if (node.Input.Count < 2 || rewrite.Weights.Find(scope, node.Input[1]) is not { } weight
            || !rewrite.IsQuantizableFloatWeight(weight, rank: 2, out var values, out _))
        {
            return false;
        }

        if ((NodeAttributes.Find(node, "transA")?.I ?? 0) != 0)
        {
            rewrite.Skip(OpType, "transA=1 is left in float: the integer MatMul kernels take A as stored.");
            rewrite.Context.Result.Notes.Add($"Gemm '{Int8Rewrite.Stem(node)}' has transA=1 and stays float.");
            return false;
        }

        bool transB = (NodeAttributes.Find(node, "transB")?.I ?? 0) != 0;
        float alpha = NodeAttributes.Find(node, "alpha")?.F ?? 1f;
        float beta = NodeAttributes.Find(node, "beta")?.F ?? 1f;
        int rows = (int)weight.Tensor.Dims[0];
        int columns = (int)weight.Tensor.Dims[1];
        int k = transB ? columns : rows;
        int n = transB ? rows : columns;
        var form = string.Create(CultureInfo.InvariantCulture, $"gemm transB={transB} alpha={alpha:R}");
        var names = rewrite.Weights.GetOrCreate(weight, form, () =>
        {
            var kByN = KByN(values.Span, rows, columns, transB, alpha);
            // alpha and the transpose change the columns, so the measurement of B itself does not apply.
            var statistics = SymmetricWeights.Measure(kByN, k, n);
            bool perColumn = rewrite.PerColumn(weight, statistics);
            return Int8Initializers.Add(rewrite, weight, SymmetricWeights.Quantize(kByN, k, n, perColumn, statistics), [k, n], transB ? "_transposed" : string.Empty, zeroPointPerColumn: false);
        });

        var stem = Int8Rewrite.Stem(node);
        var output = node.Output[0];
        bool hasBias = node.Input.Count >= 3 && node.Input[2].Length > 0 && beta != 0f;
        var product = hasBias ? rewrite.Fresh($"{stem}_product") : output;
        IntegerMatMulChain.Emit(rewrite, scope, node.Input[0], names, product, stem);
        if (hasBias)
        {
            scope.Add(rewrite.NewNode("Add", $"{stem}_bias_Add", [product, ScaledBias(node.Input[2], beta, scope, rewrite, stem)], [output]));
        }

        scope.Replace(node);
        rewrite.Context.Result.RecordQuantized(node);
        return true;
    }

    /// <summary>beta·C: C itself when beta = 1, a pre-multiplied initializer when C is constant, else a Mul node.</summary>
    private static string ScaledBias(string bias, float beta, Int8RewriteScope scope, Int8Rewrite rewrite, string stem)
    {
        if (beta == 1f)
        {
            return bias;
        }

        if (rewrite.Weights.Find(scope, bias) is { } constant && constant.Tensor.ElementType() == TensorProto.Types.DataType.Float)
        {
            var form = string.Create(CultureInfo.InvariantCulture, $"gemm bias beta={beta:R}");
            return rewrite.Weights.GetOrCreate(constant, form, () =>
            {
                var scaled = constant.Tensor.ReadFloats().Select(v => v * beta).ToArray();
                var name = rewrite.Fresh($"{bias}_times_beta");
                rewrite.Weights.AddInitializer(constant.Owner, TensorValues.FromFloats(name, constant.Tensor.Dims, scaled));
                return name;
            });
        }

        var betaName = rewrite.Fresh($"{stem}_beta");
        rewrite.Weights.AddInitializer(scope, TensorValues.Scalar(betaName, beta));
        var scaledName = rewrite.Fresh($"{stem}_scaled_bias");
        scope.Add(rewrite.NewNode("Mul", $"{stem}_beta_Mul", [bias, betaName], [scaledName]));
        return scaledName;
    }

    /// <summary>alpha·B as a row-major K×N matrix (transposing an N×K B).</summary>
    private static float[] KByN(ReadOnlySpan<float> values, int rows, int columns, bool transB, float alpha)
    {
        var result = new float[values.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                int target = transB ? (c * rows) + r : (r * columns) + c;
                result[target] = values[(r * columns) + c] * alpha;
            }
        }

        return result;
    }
}
