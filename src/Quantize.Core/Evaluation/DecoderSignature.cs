using System.Globalization;
using Quantize.Core.Calibration.Data;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Evaluation;

/// <summary>
/// A decoder with a KV cache, recognized by the usual export convention for its inputs: <c>input_ids</c> and
/// <c>attention_mask</c> (int64), optionally <c>position_ids</c> (int64), and <c>past_key_values.N.key</c> /
/// <c>past_key_values.N.value</c> for N = 0..L−1, float tensors [batch, kv_heads, past, head] with kv_heads and head
/// fixed. It synthesizes the inputs of one prefill (a prompt, empty pasts) and of one decode step (one token after a
/// given context) for the speed check.
/// </summary>
/// <param name="Layers">L, the number of key/value pairs.</param>
/// <param name="KvHeads">Key/value heads per layer.</param>
/// <param name="HeadWidth">Values per head.</param>
/// <param name="PastType">The element type of the past tensors (float or float16).</param>
/// <param name="HasPositionIds">Whether the model reads <c>position_ids</c>.</param>
public sealed record DecoderSignature(int Layers, int KvHeads, int HeadWidth, DataType PastType, bool HasPositionIds)
{
    /// <summary>The signature of a model with <paramref name="inputs"/>, or null when they do not follow the convention.</summary>
    public static DecoderSignature? Find(IReadOnlyList<ModelInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var byName = inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
        if (!IsInt64(byName, "input_ids") || !IsInt64(byName, "attention_mask"))
        {
            return null;
        }

        int layers = inputs.Count(i => i.Name.StartsWith("past_key_values.", StringComparison.Ordinal) && i.Name.EndsWith(".key", StringComparison.Ordinal));
        if (layers == 0 || !byName.TryGetValue("past_key_values.0.key", out var first) || first.Dims is not { Count: 4 } dims
            || dims[1] is not long kvHeads || dims[3] is not long headWidth || first.ElementType is not (DataType.Float or DataType.Float16))
        {
            return null;
        }

        for (int layer = 0; layer < layers; layer++)
        {
            foreach (var kind in new[] { "key", "value" })
            {
                if (!byName.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"past_key_values.{layer}.{kind}"), out var past)
                    || past.ElementType != first.ElementType || past.Dims is not { Count: 4 } d || d[1] != kvHeads || d[3] != headWidth)
                {
                    return null;
                }
            }
        }

        bool positions = byName.ContainsKey("position_ids");
        if ((positions && !IsInt64(byName, "position_ids")) || inputs.Count != 2 + (positions ? 1 : 0) + (2 * layers))
        {
            return null; // another input this convention does not know how to fill
        }

        return new DecoderSignature(layers, checked((int)kvHeads), checked((int)headWidth), first.ElementType, positions);
    }

    /// <summary>Inputs of a prefill of <paramref name="promptLength"/> tokens with empty pasts, batch 1.</summary>
    public IReadOnlyDictionary<string, CalibrationTensor> Prefill(int promptLength) => Inputs(promptLength, past: 0);

    /// <summary>Inputs of one decode step after <paramref name="context"/> tokens (pasts of that length), batch 1.</summary>
    public IReadOnlyDictionary<string, CalibrationTensor> Decode(int context) => Inputs(1, past: context);

    private Dictionary<string, CalibrationTensor> Inputs(int tokens, int past)
    {
        var inputs = new Dictionary<string, CalibrationTensor>(StringComparer.Ordinal)
        {
            // Token ids do not change the work; 1 exists in every vocabulary. The mask opens every position.
            ["input_ids"] = Int64([.. Enumerable.Repeat(1L, tokens)], [1, tokens]),
            ["attention_mask"] = Int64([.. Enumerable.Repeat(1L, past + tokens)], [1, past + tokens]),
        };
        if (HasPositionIds)
        {
            inputs["position_ids"] = Int64([.. Enumerable.Range(past, tokens).Select(p => (long)p)], [1, tokens]);
        }

        int elementSize = PastType == DataType.Float ? 4 : 2;
        long[] shape = [1, KvHeads, past, HeadWidth];
        for (int layer = 0; layer < Layers; layer++)
        {
            foreach (var kind in new[] { "key", "value" })
            {
                // Zeros: the values cached do not change the work either.
                inputs[string.Create(CultureInfo.InvariantCulture, $"past_key_values.{layer}.{kind}")] =
                    new CalibrationTensor(PastType, shape, new byte[(long)KvHeads * past * HeadWidth * elementSize]);
            }
        }

        return inputs;
    }

    private static CalibrationTensor Int64(long[] values, long[] shape) =>
        new(DataType.Int64, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static bool IsInt64(Dictionary<string, ModelInput> byName, string name) =>
        byName.TryGetValue(name, out var input) && input.ElementType == DataType.Int64;
}
