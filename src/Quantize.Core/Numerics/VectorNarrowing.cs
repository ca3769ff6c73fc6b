using System.Numerics;

namespace Quantize.Core.Numerics;

/// <summary>
/// Narrows floats that already hold whole numbers inside a byte's range (the output of round + clamp) to
/// bytes, four vectors at a time; the conversion is exact, so it equals a per-element cast.
/// </summary>
internal static class VectorNarrowing
{
    /// <summary>Writes (sbyte)<paramref name="integral"/>[i] into <paramref name="destination"/>[i].</summary>
    public static void ToSBytes(ReadOnlySpan<float> integral, Span<sbyte> destination)
    {
        int i = 0;
        int width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= integral.Length - (4 * width); i += 4 * width)
            {
                var a = Vector.ConvertToInt32(new Vector<float>(integral.Slice(i, width)));
                var b = Vector.ConvertToInt32(new Vector<float>(integral.Slice(i + width, width)));
                var c = Vector.ConvertToInt32(new Vector<float>(integral.Slice(i + (2 * width), width)));
                var d = Vector.ConvertToInt32(new Vector<float>(integral.Slice(i + (3 * width), width)));
                Vector.Narrow(Vector.Narrow(a, b), Vector.Narrow(c, d)).CopyTo(destination.Slice(i, Vector<sbyte>.Count));
            }
        }

        for (; i < integral.Length; i++)
        {
            destination[i] = (sbyte)integral[i];
        }
    }
}
