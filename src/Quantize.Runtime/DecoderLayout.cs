using Microsoft.ML.OnnxRuntime.Tensors;

namespace Quantize.Runtime;

/// <summary>
/// The KV-cache shape of a decoder that follows the usual export convention (inputs <c>input_ids</c>,
/// <c>attention_mask</c>, optionally <c>position_ids</c>, <c>past_key_values.N.key/value</c>; outputs <c>logits</c> and
/// <c>present.N.key/value</c>): what <see cref="DecoderCache"/> needs to allocate the pasts. Generated wrappers of such
/// models hold one.
/// </summary>
/// <param name="Layers">Key/value pairs (one per decoder layer).</param>
/// <param name="KvHeads">Key/value heads per layer.</param>
/// <param name="HeadWidth">Values per head.</param>
/// <param name="PastType">The element type of pasts and presents (float or float16).</param>
/// <param name="HasPositionIds">Whether the model reads <c>position_ids</c>.</param>
public sealed record DecoderLayout(int Layers, int KvHeads, int HeadWidth, TensorElementType PastType, bool HasPositionIds);
