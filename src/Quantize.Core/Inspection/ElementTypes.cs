using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Inspection;

/// <summary>Names and widths of ONNX element types, for reports.</summary>
public static class ElementTypes
{
    /// <summary>ONNX's lower-case spelling (<c>float</c>, <c>float16</c>, <c>int4</c>...), or <c>type N</c> for codes we do not know.</summary>
    public static string Name(int elementType) =>
        Enum.IsDefined(typeof(DataType), elementType) && elementType != 0
            ? ((DataType)elementType).ToString().ToLowerInvariant()
            : elementType == 0 ? "unknown" : $"type {elementType}";

    /// <summary>Bits per element, or 0 for variable-width types (strings) and unknown codes.</summary>
    public static int Bits(DataType elementType) => elementType switch
    {
        DataType.Complex128 => 128,
        DataType.Double or DataType.Int64 or DataType.Uint64 or DataType.Complex64 => 64,
        DataType.Float or DataType.Int32 or DataType.Uint32 => 32,
        DataType.Float16 or DataType.Bfloat16 or DataType.Int16 or DataType.Uint16 => 16,
        DataType.Int8 or DataType.Uint8 or DataType.Bool => 8,
        DataType.Float8E4M3Fn or DataType.Float8E4M3Fnuz or DataType.Float8E5M2 or DataType.Float8E5M2Fnuz or DataType.Float8E8M0 => 8,
        DataType.Int4 or DataType.Uint4 or DataType.Float4E2M1 => 4,
        _ => 0,
    };
}
