using System.Buffers.Binary;
using SkiaSharp;

namespace Quantize.Testing;

/// <summary>Images made in code for calibration tests: real PNGs from SkiaSharp, and PNGs whose header lies.</summary>
public static class TestImages
{
    /// <summary>A valid <paramref name="width"/>×<paramref name="height"/> PNG of a smooth color gradient.</summary>
    public static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x + y) % 256)));
            }
        }

        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>
    /// A small real PNG whose IHDR chunk claims <paramref name="width"/>×<paramref name="height"/> (with a correct CRC,
    /// so a decoder believes it) while the pixel data is that of a 16×16 image: what a forged or truncated file looks like.
    /// </summary>
    public static byte[] PngClaiming(int width, int height)
    {
        var png = Png(16, 16);
        // Signature (8 bytes), then the IHDR chunk: length (4), "IHDR" (4), width (4), height (4), 5 more bytes, CRC (4).
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16, 4), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20, 4), height);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29, 4), Crc32(png.AsSpan(12, 17)));
        return png;
    }

    /// <summary>The CRC-32 (ISO 3309, as PNG uses it) of <paramref name="bytes"/>.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
