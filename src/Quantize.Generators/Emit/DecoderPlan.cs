using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Quantize.Generators.Manifest;

namespace Quantize.Generators.Emit;

/// <summary>
/// A decoder with a KV cache, recognized from the manifest by the usual export convention (the same one the CLI's
/// speed check uses, Quantize.Core's DecoderSignature; the generator cannot reference Core): inputs <c>input_ids</c> and
/// <c>attention_mask</c> (int64), optionally <c>position_ids</c> (int64), <c>past_key_values.N.key/value</c>
/// [batch, kv_heads, past, head] with kv_heads and head static, and nothing else; outputs <c>logits</c> and
/// <c>present.N.key/value</c> of the past's type. Such wrappers get <c>CreateCache()</c>.
/// </summary>
internal sealed record DecoderPlan(int Layers, long KvHeads, long HeadWidth, ElementType PastType, bool HasPositionIds)
{
    public static DecoderPlan? For(ModelManifest model)
    {
        var inputs = model.Inputs.ToDictionary(t => t.Name, System.StringComparer.Ordinal);
        var outputs = model.Outputs.ToDictionary(t => t.Name, System.StringComparer.Ordinal);
        if (!IsInt64(inputs, "input_ids") || !IsInt64(inputs, "attention_mask") || !outputs.ContainsKey("logits")
            || !inputs.TryGetValue("past_key_values.0.key", out var first) || first.Shape.Count != 4 || !first.Shape[1].IsStatic || !first.Shape[3].IsStatic
            || first.ElementType.ManifestName is not ("float" or "float16"))
        {
            return null;
        }

        int layers = inputs.Keys.Count(n => n.StartsWith("past_key_values.", System.StringComparison.Ordinal) && n.EndsWith(".key", System.StringComparison.Ordinal));
        for (int layer = 0; layer < layers; layer++)
        {
            foreach (var kind in new[] { "key", "value" })
            {
                if (!Matches(inputs, Name("past_key_values.{0}.", layer) + kind, first) || !Matches(outputs, Name("present.{0}.", layer) + kind, first))
                {
                    return null;
                }
            }
        }

        bool positions = inputs.ContainsKey("position_ids");
        if ((positions && !IsInt64(inputs, "position_ids")) || inputs.Count != 2 + (positions ? 1 : 0) + (2 * layers))
        {
            return null;
        }

        return new DecoderPlan(layers, first.Shape[1].Size, first.Shape[3].Size, first.ElementType, positions);
    }

    private static bool Matches(Dictionary<string, TensorManifest> tensors, string name, TensorManifest first) =>
        tensors.TryGetValue(name, out var t) && t.ElementType == first.ElementType && t.Shape.Count == 4
        && t.Shape[1] == first.Shape[1] && t.Shape[3] == first.Shape[3];

    private static bool IsInt64(Dictionary<string, TensorManifest> tensors, string name) =>
        tensors.TryGetValue(name, out var t) && t.ElementType.ManifestName == "int64";

    private static string Name(string format, int layer) => string.Format(CultureInfo.InvariantCulture, format, layer);
}
