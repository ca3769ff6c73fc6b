using System.Collections.Generic;

namespace Quantize.Generators.Manifest;

/// <summary>
/// A tensor element type: its manifest name, the C# type the wrapper uses, and the ONNX Runtime
/// <c>TensorElementType</c> member it binds as.
/// </summary>
internal sealed record ElementType(string ManifestName, string CSharpType, string OrtName)
{
    public bool IsString => ManifestName == "string";

    private static readonly Dictionary<string, ElementType> ByName = Build(
        new ElementType("float", "float", "Float"),
        // System.Half has the bit layout of ONNX float16, so callers use the BCL type and we bind by pointer.
        new ElementType("float16", "global::System.Half", "Float16"),
        // .NET has no bfloat16; ONNX Runtime's struct is the type its own API uses.
        new ElementType("bfloat16", "global::Microsoft.ML.OnnxRuntime.BFloat16", "BFloat16"),
        new ElementType("double", "double", "Double"),
        new ElementType("int8", "sbyte", "Int8"),
        new ElementType("uint8", "byte", "UInt8"),
        new ElementType("int16", "short", "Int16"),
        new ElementType("uint16", "ushort", "UInt16"),
        new ElementType("int32", "int", "Int32"),
        new ElementType("uint32", "uint", "UInt32"),
        new ElementType("int64", "long", "Int64"),
        new ElementType("uint64", "ulong", "UInt64"),
        new ElementType("bool", "bool", "Bool"),
        new ElementType("string", "string", "String"));

    public static IEnumerable<string> Names => ByName.Keys;

    public static ElementType? Find(string name) => ByName.TryGetValue(name, out var type) ? type : null;

    private static Dictionary<string, ElementType> Build(params ElementType[] types)
    {
        var map = new Dictionary<string, ElementType>(System.StringComparer.Ordinal);
        foreach (var t in types)
        {
            map.Add(t.ManifestName, t);
        }

        return map;
    }
}
