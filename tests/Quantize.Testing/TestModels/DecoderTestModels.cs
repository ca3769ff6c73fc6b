using Quantize.Core.Onnx;
using static Quantize.Testing.TestModels.ModelBuilder;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

/// <summary>
/// A Llama-style decoder built in code with the usual export convention: inputs <c>input_ids</c>, <c>attention_mask</c>
/// (over past and new tokens), <c>position_ids</c> and <c>past_key_values.N.key/value</c> [batch, kv_heads, past, head];
/// outputs <c>logits</c> [batch, sequence, V] and <c>present.N.key/value</c> (past and new keys/values). Each block is
/// RMSNorm → Q/K/V projections → rotary embeddings on Q and K (rotate-half form, base 10000) → grouped-query attention
/// (key/value heads tiled to the query heads) with a causal and padding mask → output projection → residual → RMSNorm →
/// SwiGLU MLP (gate·sigmoid(gate)·up → down) → residual; a final RMSNorm and the lm_head, tied to the embedding table
/// through a Transpose when <see cref="DecoderShape.TiedEmbedding"/>. Standard ONNX ops only (opset 17); weights are
/// seeded uniform (projections scaled by their fan-in), so one shape and seed always give the same bytes.
/// </summary>
public static class DecoderTestModels
{
    private const float Epsilon = 1e-5f;

    /// <summary>Builds the decoder.</summary>
    public static ModelProto Llama(DecoderShape shape, int seed = 7)
    {
        var b = new ModelBuilder(opset: 17, seed: seed);
        int d = shape.Hidden, head = shape.HeadWidth, kvWidth = shape.KvHeads * head;
        var ids = b.Input("input_ids", DataType.Int64, "batch", "sequence");
        var mask = b.Input("attention_mask", DataType.Int64, "batch", "total");
        var positions = b.Input("position_ids", DataType.Int64, "batch", "sequence");

        var embedding = b.RandomInitializer("model.embed_tokens.weight", 0.05f, shape.Vocabulary, d);
        var h = b.Node("Gather", [embedding, ids], "/model/embed_tokens/Gather", null, Int("axis", 0));
        var (cos, sin) = Rotary(b, shape, positions);
        var bias = AttentionBias(b, ids, mask);
        var constants = new Constants(b, shape);

        for (int layer = 0; layer < shape.Layers; layer++)
        {
            var prefix = $"model.layers.{layer}";
            var past = (Key: b.Input($"past_key_values.{layer}.key", DataType.Float, "batch", shape.KvHeads, "past", head),
                Value: b.Input($"past_key_values.{layer}.value", DataType.Float, "batch", shape.KvHeads, "past", head));
            var normed = RmsNorm(b, h, $"{prefix}.input_layernorm", d);
            var q = Projection(b, normed, $"{prefix}.self_attn.q_proj", d, d);
            var k = Projection(b, normed, $"{prefix}.self_attn.k_proj", d, kvWidth);
            var v = Projection(b, normed, $"{prefix}.self_attn.v_proj", d, kvWidth);
            q = Rotate(b, Heads(b, q, constants.QueryShape, $"/{prefix}/q"), cos, sin, constants, $"/{prefix}/q");
            k = Rotate(b, Heads(b, k, constants.KvShape, $"/{prefix}/k"), cos, sin, constants, $"/{prefix}/k");
            v = Heads(b, v, constants.KvShape, $"/{prefix}/v");
            var presentKey = b.Node("Concat", [past.Key, k], $"/{prefix}/present_key", $"present.{layer}.key", Int("axis", 2));
            var presentValue = b.Node("Concat", [past.Value, v], $"/{prefix}/present_value", $"present.{layer}.value", Int("axis", 2));
            b.Output(presentKey, DataType.Float, "batch", shape.KvHeads, "total", head);
            b.Output(presentValue, DataType.Float, "batch", shape.KvHeads, "total", head);
            var keys = shape.KvHeads == shape.Heads ? presentKey : b.Node("Tile", [presentKey, constants.Repeats], $"/{prefix}/repeat_key");
            var values = shape.KvHeads == shape.Heads ? presentValue : b.Node("Tile", [presentValue, constants.Repeats], $"/{prefix}/repeat_value");
            var keysT = b.Node("Transpose", [keys], $"/{prefix}/key_t", null, Ints("perm", 0, 1, 3, 2));
            var scores = b.Node("MatMul", [q, keysT], $"/{prefix}/scores");
            scores = b.Node("Mul", [scores, constants.Scale], $"/{prefix}/scale");
            scores = b.Node("Add", [scores, bias], $"/{prefix}/mask");
            var probabilities = b.Node("Softmax", [scores], $"/{prefix}/softmax", null, Int("axis", -1));
            var context = b.Node("MatMul", [probabilities, values], $"/{prefix}/context");
            context = b.Node("Transpose", [context], $"/{prefix}/context_t", null, Ints("perm", 0, 2, 1, 3));
            context = b.Node("Reshape", [context, constants.Merge], $"/{prefix}/merge");
            h = b.Node("Add", [h, Projection(b, context, $"{prefix}.self_attn.o_proj", d, d)], $"/{prefix}/attn_residual");

            normed = RmsNorm(b, h, $"{prefix}.post_attention_layernorm", d);
            var gate = Projection(b, normed, $"{prefix}.mlp.gate_proj", d, shape.Intermediate);
            var up = Projection(b, normed, $"{prefix}.mlp.up_proj", d, shape.Intermediate);
            var silu = b.Node("Mul", [gate, b.Node("Sigmoid", [gate], $"/{prefix}/mlp/sigmoid")], $"/{prefix}/mlp/silu");
            var down = Projection(b, b.Node("Mul", [silu, up], $"/{prefix}/mlp/gated"), $"{prefix}.mlp.down_proj", shape.Intermediate, d);
            h = b.Node("Add", [h, down], $"/{prefix}/mlp_residual");
        }

        h = RmsNorm(b, h, "model.norm", d);
        var lmHead = shape.TiedEmbedding
            ? b.Node("Transpose", [embedding], "/lm_head/Transpose", null, Ints("perm", 1, 0))
            : b.RandomInitializer("lm_head.weight", 0.05f, d, shape.Vocabulary);
        b.Node("MatMul", [h, lmHead], "/lm_head/MatMul", "logits");
        b.Output("logits", DataType.Float, "batch", "sequence", shape.Vocabulary);
        return b.Model;
    }

    /// <summary>x·W, W uniform in ±0.6/√inputs: the output's scale stays near the input's at every width, as trained layers keep it.</summary>
    private static string Projection(ModelBuilder b, string x, string name, int inputs, int outputs) =>
        b.Node("MatMul", [x, b.RandomInitializer(name + ".weight", 0.6f / MathF.Sqrt(inputs), inputs, outputs)], "/" + name.Replace('.', '/') + "/MatMul");

    /// <summary>x / sqrt(mean(x²) + ε) · weight, over the last axis.</summary>
    private static string RmsNorm(ModelBuilder b, string x, string name, int width)
    {
        var prefix = "/" + name.Replace('.', '/');
        var weight = b.Initializer(name + ".weight", [.. Enumerable.Range(0, width).Select(i => 1f + (0.1f * MathF.Sin(i)))], width);
        var squared = b.Node("Mul", [x, x], prefix + "/square");
        var mean = b.Node("ReduceMean", [squared], prefix + "/mean", null, Ints("axes", -1), Int("keepdims", 1));
        var root = b.Node("Sqrt", [b.Node("Add", [mean, b.Initializer(name + ".epsilon", [Epsilon])], prefix + "/add_epsilon")], prefix + "/sqrt");
        return b.Node("Mul", [b.Node("Div", [x, root], prefix + "/normalize"), weight], prefix + "/scale");
    }

    /// <summary>[batch, sequence, heads·head] → [batch, heads, sequence, head].</summary>
    private static string Heads(ModelBuilder b, string x, string shape, string prefix) =>
        b.Node("Transpose", [b.Node("Reshape", [x, shape], prefix + "/split_heads")], prefix + "/heads", null, Ints("perm", 0, 2, 1, 3));

    /// <summary>x·cos + rotate_half(x)·sin with rotate_half([x₁, x₂]) = [−x₂, x₁] over the head axis.</summary>
    private static string Rotate(ModelBuilder b, string x, string cos, string sin, Constants constants, string prefix)
    {
        var halves = b.NodeWithOutputs("Split", [x, constants.Halves], 2, prefix + "/rotary_split", null, Int("axis", -1));
        var rotated = b.Node("Concat", [b.Node("Neg", [halves[1]], prefix + "/rotary_neg"), halves[0]], prefix + "/rotate_half", null, Int("axis", -1));
        return b.Node("Add", [b.Node("Mul", [x, cos], prefix + "/rotary_cos"), b.Node("Mul", [rotated, sin], prefix + "/rotary_sin")], prefix + "/rotary");
    }

    /// <summary>cos and sin of position × 10000^(−2j / head), each half repeated, gathered by position: [batch, 1, sequence, head].</summary>
    private static (string Cos, string Sin) Rotary(ModelBuilder b, DecoderShape shape, string positions)
    {
        int head = shape.HeadWidth;
        var cos = new float[shape.MaxPositions * head];
        var sin = new float[cos.Length];
        for (int p = 0; p < shape.MaxPositions; p++)
        {
            for (int j = 0; j < head; j++)
            {
                double angle = p * Math.Pow(10000, -2.0 * (j % (head / 2)) / head);
                cos[(p * head) + j] = (float)Math.Cos(angle);
                sin[(p * head) + j] = (float)Math.Sin(angle);
            }
        }

        var axes = b.Int64Initializer("rotary_axes", [1], 1);
        string Table(string name, float[] values) =>
            b.Node("Unsqueeze", [b.Node("Gather", [b.Initializer(name, values, shape.MaxPositions, head), positions], $"/rotary/{name}_gather", null, Int("axis", 0)), axes], $"/rotary/{name}");
        return (Table("rotary_cos", cos), Table("rotary_sin", sin));
    }

    /// <summary>
    /// 0 where query i (at absolute position past + i) may see key j (j ≤ past + i and attention_mask[j] = 1), −1e9
    /// elsewhere: [batch, 1, sequence, total].
    /// </summary>
    private static string AttentionBias(ModelBuilder b, string ids, string mask)
    {
        var one = b.Int64Initializer("mask_one", [1], []);
        var zero = b.Int64Initializer("mask_zero", [0], []);
        var sequence = b.Node("Gather", [b.Node("Shape", [ids], "/mask/ids_shape"), one], "/mask/sequence", null, Int("axis", 0));
        var total = b.Node("Gather", [b.Node("Shape", [mask], "/mask/mask_shape"), one], "/mask/total", null, Int("axis", 0));
        var past = b.Node("Sub", [total, sequence], "/mask/past");
        var rows = b.Node("Unsqueeze", [b.Node("Range", [past, total, one], "/mask/rows"), b.Int64Initializer("mask_axis1", [1], 1)], "/mask/rows_column");
        var columns = b.Node("Unsqueeze", [b.Node("Range", [zero, total, one], "/mask/columns"), b.Int64Initializer("mask_axis0", [0], 1)], "/mask/columns_row");
        var causal = b.Node("LessOrEqual", [columns, rows], "/mask/causal");
        var padding = b.Node("Unsqueeze", [b.Node("Cast", [mask], "/mask/padding", null, Int("to", (long)DataType.Bool)), b.Int64Initializer("mask_axes12", [1, 2], 2)], "/mask/padding_4d");
        var allowed = b.Node("And", [causal, padding], "/mask/allowed");
        return b.Node("Where", [allowed, b.Initializer("mask_open", [0f]), b.Initializer("mask_closed", [-1e9f])], "/mask/bias");
    }

    /// <summary>Shape and scalar constants every block shares.</summary>
    private sealed class Constants(ModelBuilder b, DecoderShape shape)
    {
        public string QueryShape { get; } = b.Int64Initializer("shape_query_heads", [0, 0, shape.Heads, shape.HeadWidth], 4);

        public string KvShape { get; } = b.Int64Initializer("shape_kv_heads", [0, 0, shape.KvHeads, shape.HeadWidth], 4);

        public string Merge { get; } = b.Int64Initializer("shape_merge_heads", [0, 0, shape.Hidden], 3);

        public string Repeats { get; } = b.Int64Initializer("kv_repeats", [1, shape.Heads / shape.KvHeads, 1, 1], 4);

        public string Halves { get; } = b.Int64Initializer("rotary_halves", [shape.HeadWidth / 2, shape.HeadWidth / 2], 2);

        public string Scale { get; } = b.Initializer("attention_scale", [1f / MathF.Sqrt(shape.HeadWidth)]);
    }
}
