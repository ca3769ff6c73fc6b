using System.Numerics;
using System.Runtime.CompilerServices;

namespace Quantize.Core.Numerics;

/// <summary>
/// The 4-bit level of many already scaled values at once: clamp(round_half_away_from_zero(s) + zero point, 0, 15),
/// equal to <see cref="Int4BlockQuantizer.ToLevel"/> element by element for finite values (callers send blocks with
/// NaN or infinity, and blocks whose scale has no finite reciprocal, to the scalar reference). Four vectors of
/// levels are narrowed to one vector of bytes, so a block of 32 (or 16 on 128-bit hardware) is a handful of
/// instructions instead of 32 scalar rounds, clamps and stores.
/// </summary>
internal static class Int4Levels
{
    private static readonly Vector<float> Half = new(0.5f);
    private static readonly Vector<float> Top = new(Int4BlockQuantizer.MaxLevel);

    /// <summary>Levels of <paramref name="values"/> × <paramref name="reciprocal"/> with one zero point (a row's block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(ReadOnlySpan<float> values, float reciprocal, byte zeroPoint, Span<byte> levels)
    {
        int width = Vector<float>.Count;
        var scale = new Vector<float>(reciprocal);
        var zero = new Vector<float>(zeroPoint);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= values.Length - (4 * width); i += 4 * width)
            {
                Narrow(
                    Level(new Vector<float>(values[i..]) * scale, zero),
                    Level(new Vector<float>(values[(i + width)..]) * scale, zero),
                    Level(new Vector<float>(values[(i + (2 * width))..]) * scale, zero),
                    Level(new Vector<float>(values[(i + (3 * width))..]) * scale, zero)).CopyTo(levels[i..]);
            }
        }

        for (; i < values.Length; i++)
        {
            levels[i] = Int4BlockQuantizer.ToLevel(values[i] * reciprocal, zeroPoint);
        }
    }

    /// <summary>Levels of <paramref name="values"/>[c] × <paramref name="reciprocals"/>[c] with a zero point per element (one row of a column block).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(ReadOnlySpan<float> values, ReadOnlySpan<float> reciprocals, ReadOnlySpan<float> zeroPoints, Span<byte> levels)
    {
        int width = Vector<float>.Count;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= values.Length - (4 * width); i += 4 * width)
            {
                Narrow(
                    Level(values, reciprocals, zeroPoints, i),
                    Level(values, reciprocals, zeroPoints, i + width),
                    Level(values, reciprocals, zeroPoints, i + (2 * width)),
                    Level(values, reciprocals, zeroPoints, i + (3 * width))).CopyTo(levels[i..]);
            }
        }

        for (; i < values.Length; i++)
        {
            levels[i] = Int4BlockQuantizer.ToLevel(values[i] * reciprocals[i], (byte)zeroPoints[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Level(ReadOnlySpan<float> values, ReadOnlySpan<float> reciprocals, ReadOnlySpan<float> zeroPoints, int at) =>
        Level(new Vector<float>(values[at..]) * new Vector<float>(reciprocals[at..]), new Vector<float>(zeroPoints[at..]));

    /// <summary>
    /// Round half away from zero, exactly: truncation through int32 is exact for |s| ≤ 16, and |s − trunc(s)| is
    /// exact too, so the value moves one step away from zero precisely when that distance is at least one half.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<int> Level(Vector<float> scaled, Vector<float> zeroPoint)
    {
        var truncated = Vector.ConvertToSingle(Vector.ConvertToInt32(scaled));
        var away = Vector.GreaterThanOrEqual(Vector.Abs(scaled - truncated), Half);
        var step = Vector.ConditionalSelect(Vector.LessThan(scaled, Vector<float>.Zero), -Vector<float>.One, Vector<float>.One);
        var rounded = truncated + Vector.ConditionalSelect(away, step, Vector<float>.Zero);
        return Vector.ConvertToInt32(Vector.Min(Vector.Max(rounded + zeroPoint, Vector<float>.Zero), Top));
    }

    /// <summary>Four vectors of levels 0..15 as one vector of bytes, in order (narrowing truncates, and every level fits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<byte> Narrow(Vector<int> a, Vector<int> b, Vector<int> c, Vector<int> d) =>
        Vector.AsVectorByte(Vector.Narrow(Vector.Narrow(a, b), Vector.Narrow(c, d)));
}
