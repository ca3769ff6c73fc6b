using System.Runtime.InteropServices;
using Quantize.Core.Numerics;
using Quantize.Core.Onnx;
using AttributeType = Quantize.Core.Onnx.AttributeProto.Types.AttributeType;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Passes.Fp16;

/// <summary>Converts stored float32 values (initializers, Constant values, tensor attributes) to float16.</summary>
internal static class Fp16Values
{
    /// <summary>True for a Constant node whose float32 value this pass can rewrite (value, value_float or value_floats).</summary>
    public static bool IsConvertibleConstant(NodeProto node) =>
        node.OpType == "Constant" && node.Domain is "" or "ai.onnx"
        && node.Attribute.Any(a => a.Name is "value_float" or "value_floats" || (a.Name == "value" && a.T?.ElementType() == DataType.Float));

    /// <summary>
    /// <paramref name="tensor"/>'s values as a float16 tensor named <paramref name="name"/>, with docs/numerics.md's
    /// range clamping, stored as raw_data (the compact form, whatever form the original used).
    /// </summary>
    public static TensorProto ToFloat16(TensorProto tensor, string name) =>
        FromFloats(name, tensor.Dims, tensor.FloatView(), tensor.DocString);

    /// <summary>Rewrites a Constant node so that it produces float16.</summary>
    public static void ConvertConstant(NodeProto node)
    {
        for (int i = 0; i < node.Attribute.Count; i++)
        {
            var attribute = node.Attribute[i];
            var converted = attribute.Name switch
            {
                "value" when attribute.T?.ElementType() == DataType.Float => ToFloat16(attribute.T, attribute.T.Name),
                "value_float" => FromFloats(string.Empty, [], [attribute.F], string.Empty),
                "value_floats" => FromFloats(string.Empty, [attribute.Floats.Count], [.. attribute.Floats], string.Empty),
                _ => null,
            };
            if (converted is not null)
            {
                node.Attribute[i] = new AttributeProto { Name = "value", Type = AttributeType.Tensor, T = converted };
            }
        }
    }

    /// <summary>
    /// Makes a ConstantOfShape produce float16: converts its float32 value, or adds a float16 zero where the
    /// value is absent (the default is a float32 zero).
    /// </summary>
    public static void ConvertConstantOfShape(NodeProto node)
    {
        var value = node.Attribute.FirstOrDefault(a => a.Name == "value");
        if (value is null)
        {
            node.Attribute.Add(new AttributeProto { Name = "value", Type = AttributeType.Tensor, T = FromFloats(string.Empty, [1], [0f], string.Empty) });
        }
        else if (value.T?.ElementType() == DataType.Float)
        {
            value.T = ToFloat16(value.T, value.T.Name);
        }
    }

    /// <summary>Changes an element-type attribute (Cast's <c>to</c>, EyeLike's <c>dtype</c>) from FLOAT to FLOAT16.</summary>
    public static void RetargetTypeAttribute(NodeProto node, string attributeName)
    {
        var attribute = node.Attribute.FirstOrDefault(a => a.Name == attributeName);
        if (attribute is not null && attribute.I == (long)DataType.Float)
        {
            attribute.I = (long)DataType.Float16;
        }
    }

    private static TensorProto FromFloats(string name, IEnumerable<long> dims, ReadOnlySpan<float> values, string docString)
    {
        var raw = new byte[values.Length * sizeof(ushort)];
        HalfConverter.ToHalf(values, MemoryMarshal.Cast<byte, ushort>(raw.AsSpan()));
        var tensor = TensorValues.Create(name, DataType.Float16, dims, raw);
        if (docString.Length > 0)
        {
            tensor.DocString = docString;
        }

        return tensor;
    }
}
