using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int4;

/// <summary>
/// Settles each weight's block size. A size the user set applies everywhere. Otherwise MatMul weights
/// whose rounding error reaches the model's output undamped get blocks of <see cref="SensitiveBlockSize"/>
/// and the rest keep <see cref="QuantizeOptions.DefaultBlockSize"/>. Every block still follows ONNX
/// Runtime's rule (scale = the largest-magnitude value / −8); only how many values share a scale changes,
/// and MatMulNBits, GatherBlockQuantized and DequantizeLinear all take block_size per node.
/// </summary>
/// <remarks>
/// Why not a statistic of the weight itself: on all-MiniLM-L6-v2 blocks of 16 cut every weight's relative
/// rounding error by the same 12–16 %, and neither that error, outlier input rows (max |row| / RMS), kurtosis
/// nor column spread separates the weights whose error matters from those whose error does not. Switching
/// one kind of weight at a time to 16 (mean sentence-embedding cosine, 60 sentences, base 0.9668) measured:
/// FFN up +0.0037, FFN down +0.0018, value +0.0015, attention output +0.0007, query and key +0.0001 each,
/// embedding tables +0.0016 for 10 % more file. Query and key projections are the weights whose output
/// reaches a softmax before any other weighted layer: the softmax normalizes their scores and damps the
/// rounding error. Every other projection writes (through at most one more linear map) into the residual
/// stream. Embedding tables are looked up once, at the input, and hold most of the file, so they keep 32.
/// With this rule MiniLM measures 0.974 at 0.175 of FP32, against 0.967 at 0.163 with 32 everywhere.
/// Decoders with a KV cache keep 32 everywhere: there INT4 is above all for decode speed, and ONNX Runtime's CPU
/// kernel is much slower with blocks of 16 (a 509 M-parameter decoder decoded 2.3× faster than FP32 with the rule,
/// 3.9× with 32 everywhere; docs/measured-results.md).
/// </remarks>
internal static class Int4BlockSizeChoice
{
    /// <summary>The block size given to weights whose error reaches the output undamped.</summary>
    public const int SensitiveBlockSize = 16;

    /// <summary>
    /// Returns <paramref name="candidates"/> with block sizes set. Nodes sharing one weight share its
    /// quantized tensors, so they all take the smallest size any of them would get.
    /// </summary>
    public static List<Int4Candidate> Assign(IReadOnlyList<Int4Candidate> candidates, QuantizeOptions options, bool decoder)
    {
        var sizes = candidates.Select(c => options.BlockSize ?? (decoder ? QuantizeOptions.DefaultBlockSize : For(c))).ToList();
        var perWeight = new Dictionary<TensorProto, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < candidates.Count; i++)
        {
            var tensor = candidates[i].Weight.Tensor;
            perWeight[tensor] = Math.Min(sizes[i], perWeight.GetValueOrDefault(tensor, int.MaxValue));
        }

        return [.. candidates.Select(c => c with { BlockSize = perWeight[c.Weight.Tensor] })];
    }

    /// <summary>The automatic block size of one node, before shared weights are reconciled.</summary>
    public static int For(Int4Candidate candidate) =>
        candidate.Target == Int4Target.MatMul && !ReachesSoftmaxFirst(candidate.Index, candidate.Node.Output[0])
            ? SensitiveBlockSize
            : QuantizeOptions.DefaultBlockSize;

    /// <summary>
    /// True when some path from <paramref name="output"/> meets a Softmax before it meets another MatMul or
    /// Gemm with a constant weight: an attention score projection (query or key), however the export
    /// reshapes, transposes, scales or rotates it on the way.
    /// </summary>
    private static bool ReachesSoftmaxFirst(GraphIndex index, string output)
    {
        var pending = new Stack<string>([output]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { output };
        while (pending.Count > 0)
        {
            foreach (var node in index.Consumers(pending.Pop()))
            {
                if (node.OpType == "Softmax")
                {
                    return true;
                }

                if (IsWeightedLayer(index, node))
                {
                    continue; // the next layer's own quantization is judged on its own.
                }

                foreach (var next in node.Output)
                {
                    if (next.Length > 0 && seen.Add(next))
                    {
                        pending.Push(next);
                    }
                }
            }
        }

        return false;
    }

    private static bool IsWeightedLayer(GraphIndex index, NodeProto node) =>
        node.OpType is "MatMul" or "Gemm" && node.Input.Count >= 2 && index.Constant(node.Input[1]) is not null;
}
