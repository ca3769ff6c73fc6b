using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>
/// A MatMul weight read through a Transpose: exports of models whose lm_head is tied to the embedding table compute
/// the lm_head weight as Transpose(table [V, D]). The quantizers treat the table as the weight, stored [N, K].
/// </summary>
public static class WeightTranspose
{
    /// <summary>
    /// The Transpose producing <paramref name="name"/> when it swaps the two axes of its input (perm [1, 0], or none on a
    /// 2-D tensor: the caller checks the rank) and only MatMuls read it, as their weight; null otherwise.
    /// </summary>
    public static NodeProto? Find(GraphIndex index, string name)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Producer(name) is not { OpType: "Transpose", Domain: "" or "ai.onnx" } transpose || transpose.Input.Count != 1
            || index.IsGraphOutput(name) || index.Consumers(name).Any(c => c.OpType != "MatMul" || c.Input.Count != 2 || c.Input[1] != name))
        {
            return null;
        }

        var perm = transpose.Attribute.FirstOrDefault(a => a.Name == "perm")?.Ints;
        return perm is null || (perm.Count == 2 && perm[0] == 1 && perm[1] == 0) ? transpose : null;
    }
}
