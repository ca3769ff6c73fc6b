using Quantize.Core.Graph;
using Quantize.Core.Onnx;

namespace Quantize.Core.Passes.Int4;

/// <summary>What an eligible node becomes.</summary>
internal enum Int4Target
{
    /// <summary>MatMul(A, constant B[K, N]): blocks run along K, one row per output column.</summary>
    MatMul,

    /// <summary>Gather(constant table[V, D], ids) on axis 0: blocks run along D, one row per table row.</summary>
    Embedding,
}

/// <summary>A node the INT4 pass will rewrite, with the weight it reads.</summary>
/// <param name="Index">The index of the graph holding <paramref name="Node"/>.</param>
/// <param name="Node">The MatMul or Gather.</param>
/// <param name="Weight">Its constant float weight.</param>
/// <param name="Target">What the node becomes.</param>
/// <param name="Rows">Quantized vectors: N for a MatMul, V for an embedding.</param>
/// <param name="Length">Values per vector: K for a MatMul, D for an embedding.</param>
internal sealed record Int4Candidate(GraphIndex Index, NodeProto Node, ConstantWeight Weight, Int4Target Target, int Rows, int Length)
{
    /// <summary>The graph holding the node; new tensors go there so its kernels see them as constants.</summary>
    public GraphProto Graph => Index.Graph;

    /// <summary>Which input of the node is the weight.</summary>
    public int WeightInput => Target == Int4Target.MatMul ? 1 : 0;

    /// <summary>Values per 4-bit block along <see cref="Length"/>; the pass settles it per weight before rewriting.</summary>
    public int BlockSize { get; init; }

    /// <summary>
    /// For a MatMul reading its weight through a 2-D Transpose (a tied lm_head reads the embedding table [V, D] this
    /// way): that Transpose. The weight is then stored [N, K], its rows already the vectors to quantize.
    /// </summary>
    public NodeProto? Transpose { get; init; }

    /// <summary>True when <see cref="Weight"/> is stored [N, K] (read through <see cref="Transpose"/>).</summary>
    public bool Transposed => Transpose is not null;

    /// <summary>Bits per weight: 4, or 8 for a MatMul an Int8 override keeps at 8 bits (MatMulNBits bits = 8).</summary>
    public int Bits { get; init; } = 4;
}
