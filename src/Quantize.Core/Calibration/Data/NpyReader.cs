using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// Reads NumPy's <c>.npy</c> format (versions 1.0, 2.0 and 3.0): the magic <c>\x93NUMPY</c>, a version,
/// a little-endian header length (2 bytes in v1, 4 in v2/v3), a Python dict literal with <c>descr</c>,
/// <c>fortran_order</c> and <c>shape</c>, then the raw elements. Only what calibration needs: little-endian
/// (or byte-order-free) float32/float64/float16/int64/int32/int8/uint8/bool in C order.
/// </summary>
public static partial class NpyReader
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Parses a whole .npy file held in <paramref name="bytes"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="FormatException">The bytes are not a .npy file we read.</exception>
    public static CalibrationTensor Read(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
        {
            throw new FormatException($"'{source}' is not a .npy file (no \\x93NUMPY magic).");
        }

        int major = bytes[6];
        int headerLength;
        int headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
                headerStart = 10;
                break;
            case 2 or 3 when bytes.Length >= 12:
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]));
                headerStart = 12;
                break;
            default:
                throw new FormatException($"'{source}' has .npy version {major}.{bytes[7]}, which is not 1, 2 or 3.");
        }

        if (headerStart + headerLength > bytes.Length)
        {
            throw new FormatException($"'{source}' is truncated inside its .npy header.");
        }

        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(bytes.Slice(headerStart, headerLength));
        var (type, size) = ElementType(Field(DescrPattern(), header, "descr", source), source);
        if (Field(FortranPattern(), header, "fortran_order", source) == "True")
        {
            throw new FormatException($"'{source}' is stored in Fortran order; save it in C order (numpy.ascontiguousarray).");
        }

        var shape = Shape(Field(ShapePattern(), header, "shape", source), source);
        long count = shape.Aggregate(1L, (a, d) => checked(a * d));
        long dataBytes = checked(count * size);
        var data = bytes[(headerStart + headerLength)..];
        if (data.Length < dataBytes)
        {
            throw new FormatException($"'{source}' is truncated: its header declares {dataBytes} bytes of data, the file holds {data.Length}.");
        }

        return new CalibrationTensor(type, shape, data[..(int)dataBytes].ToArray());
    }

    private static string Field(Regex pattern, string header, string name, string source)
    {
        var match = pattern.Match(header);
        return match.Success ? match.Groups["v"].Value : throw new FormatException($"'{source}' has no '{name}' in its .npy header.");
    }

    private static (DataType Type, int Size) ElementType(string descr, string source)
    {
        // '<' little-endian, '|' not applicable (1-byte types), '=' native: every platform .NET runs on is little-endian.
        if (descr.Length < 3 || descr[0] is not ('<' or '|' or '='))
        {
            throw new FormatException($"'{source}' holds '{descr}' data; only little-endian arrays are read (numpy: arr.astype(arr.dtype.newbyteorder('<'))).");
        }

        return descr[1..] switch
        {
            "f4" => (DataType.Float, 4),
            "f8" => (DataType.Double, 8),
            "f2" => (DataType.Float16, 2),
            "i8" => (DataType.Int64, 8),
            "i4" => (DataType.Int32, 4),
            "i1" => (DataType.Int8, 1),
            "u1" => (DataType.Uint8, 1),
            "b1" => (DataType.Bool, 1),
            _ => throw new FormatException($"'{source}' holds '{descr}' elements; calibration reads float32/64/16, int64/32/8, uint8 and bool."),
        };
    }

    private static long[] Shape(string text, string source)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            // Python 2 era writers put 'L' after longs.
            if (!long.TryParse(parts[i].TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
            {
                throw new FormatException($"'{source}' has an unreadable .npy shape '({text})'.");
            }
        }

        return shape;
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""](?<v>[^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(?<v>True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\((?<v>[^)]*)\)")]
    private static partial Regex ShapePattern();
}
