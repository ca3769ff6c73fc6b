using System.Numerics;

namespace Quantize.Core.Numerics;

/// <summary>
/// Packs 4-bit values two to a byte the way ONNX (int4/uint4 tensors) and ONNX Runtime's MatMulNBits
/// and GatherBlockQuantized expect: element 2i in the low nibble of byte i, element 2i+1 in the high
/// nibble; an odd count leaves the last high nibble zero.
/// </summary>
public static class Int4Packing
{
    /// <summary>Bytes needed for <paramref name="count"/> nibbles.</summary>
    public static long PackedLength(long count) => (count + 1) / 2;

    /// <summary>Packs the low nibbles of <paramref name="nibbles"/> into <paramref name="packed"/>.</summary>
    public static void Pack(ReadOnlySpan<byte> nibbles, Span<byte> packed)
    {
        if (packed.Length < PackedLength(nibbles.Length))
        {
            throw new ArgumentException($"{nibbles.Length} nibbles need {PackedLength(nibbles.Length)} bytes, got {packed.Length}.", nameof(packed));
        }

        int pairs = nibbles.Length / 2;
        int i = 0;
        if (Vector.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            // Two vectors of nibbles read as 16-bit lanes hold one pair each, element 2i in the low byte: fold each lane
            // to its packed byte and narrow the two to one vector of bytes.
            int width = Vector<byte>.Count;
            var low = new Vector<ushort>(0x0F);
            for (; (2 * i) + (2 * width) <= nibbles.Length; i += width)
            {
                var a = Vector.AsVectorUInt16(new Vector<byte>(nibbles[(2 * i)..]));
                var b = Vector.AsVectorUInt16(new Vector<byte>(nibbles[((2 * i) + width)..]));
                Vector.Narrow(Fold(a, low), Fold(b, low)).CopyTo(packed[i..]);
            }
        }

        for (; i < pairs; i++)
        {
            packed[i] = (byte)((nibbles[2 * i] & 0x0F) | ((nibbles[(2 * i) + 1] & 0x0F) << 4));
        }

        if ((nibbles.Length & 1) != 0)
        {
            packed[pairs] = (byte)(nibbles[^1] & 0x0F);
        }
    }

    /// <summary>(element 2i &amp; 0x0F) | (element 2i+1 &amp; 0x0F) &lt;&lt; 4 in each 16-bit lane; the high byte is dropped by narrowing.</summary>
    private static Vector<ushort> Fold(Vector<ushort> pairs, Vector<ushort> low) =>
        (pairs & low) | Vector.ShiftLeft(Vector.ShiftRightLogical(pairs, 8) & low, 4);

    /// <summary>Packs <paramref name="nibbles"/> into a new array.</summary>
    public static byte[] Pack(ReadOnlySpan<byte> nibbles)
    {
        var packed = new byte[PackedLength(nibbles.Length)];
        Pack(nibbles, packed);
        return packed;
    }

    /// <summary>Unpacks <paramref name="nibbles"/>.Length values (0..15) from <paramref name="packed"/>.</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, Span<byte> nibbles)
    {
        if (packed.Length < PackedLength(nibbles.Length))
        {
            throw new ArgumentException($"{nibbles.Length} nibbles need {PackedLength(nibbles.Length)} bytes, got {packed.Length}.", nameof(packed));
        }

        for (int i = 0; i < nibbles.Length; i++)
        {
            byte b = packed[i >> 1];
            nibbles[i] = (byte)((i & 1) == 0 ? b & 0x0F : b >> 4);
        }
    }
}
