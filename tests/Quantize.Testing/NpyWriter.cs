using System.Buffers.Binary;
using System.Text;

namespace Quantize.Testing;

/// <summary>Writes float32 .npy files (format v1) from the published layout, not with the reader under test.</summary>
public static class NpyWriter
{
    /// <summary>
    /// The bytes of a little-endian float32 .npy: magic \x93NUMPY, version 1.0, uint16 header length, then the
    /// dict header padded with spaces and a newline to a multiple of 64 bytes, then the values in C order.
    /// </summary>
    public static byte[] Floats(float[] values, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(shape);
        var dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}), }}";
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - 10 - 1) + "\n";
        var bytes = new byte[total + (values.Length * 4)];
        bytes[0] = 0x93;
        "NUMPY"u8.CopyTo(bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(total + (i * 4)), values[i]);
        }

        return bytes;
    }
}
