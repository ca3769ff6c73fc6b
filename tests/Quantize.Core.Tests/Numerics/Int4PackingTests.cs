using CsCheck;
using Quantize.Core.Numerics;

namespace Quantize.Core.Tests.Numerics;

public class Int4PackingTests
{
    [Fact]
    public void Even_index_goes_in_the_low_nibble_and_an_odd_tail_leaves_the_high_nibble_zero()
    {
        Assert.Equal(new byte[] { 0x21, 0xF3, 0x04 }, Int4Packing.Pack([1, 2, 3, 15, 4]));
    }

    [Fact]
    public void Only_the_low_four_bits_of_each_value_are_packed()
    {
        // int4 −3 is the nibble 0xD; a signed level passed as a byte must not spill into its neighbour.
        Assert.Equal(new byte[] { 0x1D }, Int4Packing.Pack([unchecked((byte)(sbyte)-3), 1]));
    }

    [Fact]
    public void Packing_any_bytes_keeps_only_their_low_nibbles_in_order()
    {
        // Long enough for the vector path (two vectors of nibbles per step) and its scalar tail; any byte value, so a
        // high nibble leaking into a neighbour would show.
        Gen.Byte.Array[0, 300].Sample(values =>
        {
            var expected = new byte[(values.Length + 1) / 2];
            for (int i = 0; i < values.Length; i++)
            {
                expected[i / 2] |= (byte)((values[i] & 0x0F) << (4 * (i % 2)));
            }

            return Int4Packing.Pack(values).AsSpan().SequenceEqual(expected);
        });
    }

    [Fact]
    public void Pack_then_unpack_round_trips()
    {
        Gen.Byte[0, 15].Array[0, 200].Sample(nibbles =>
        {
            var packed = Int4Packing.Pack(nibbles);
            var unpacked = new byte[nibbles.Length];
            Int4Packing.Unpack(packed, unpacked);
            return packed.Length == (nibbles.Length + 1) / 2 && unpacked.AsSpan().SequenceEqual(nibbles);
        });
    }

    [Fact]
    public void Unpack_then_pack_round_trips_whole_bytes()
    {
        Gen.Byte.Array[0, 100].Sample(bytes =>
        {
            var nibbles = new byte[bytes.Length * 2];
            Int4Packing.Unpack(bytes, nibbles);
            return Int4Packing.Pack(nibbles).AsSpan().SequenceEqual(bytes);
        });
    }
}
