using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Quantize.Core.Calibration.Data;

namespace Quantize.Core.Calibration;

/// <summary>
/// A content hash of everything calibration ranges depend on: the model's bytes, every calibration file's
/// bytes (in the order they are read), the vocabulary, the preprocessing and the method. Saved ranges whose
/// fingerprint matches can be reused when only quantizer settings changed; any edit to the data reruns
/// calibration. Paths are left out, so moving a checkout does not invalidate the ranges.
/// </summary>
public static class CalibrationFingerprint
{
    /// <summary>
    /// Lower-case hex SHA-256 of the model file, the data and the settings, and of the cross-layer equalization the
    /// calibrated graph went through (<paramref name="equalization"/>: it changes every range between the Convs it rescales).
    /// </summary>
    public static string Compute(string modelPath, CalibrationDataOptions data, CalibrationOptions options, EqualizationScope equalization = EqualizationScope.None)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendFile(hash, modelPath);
        foreach (var file in CalibrationFiles.Resolve(data.Sources, data.BaseDirectory))
        {
            AppendText(hash, Path.GetExtension(file).ToLowerInvariant());
            AppendFile(hash, file);
        }

        AppendText(hash, options.Description);
        AppendText(hash, data.MaxSamples?.ToString(CultureInfo.InvariantCulture) ?? "all");
        if (data.Split is { } split)
        {
            // Appended only when set, so ranges saved before splits existed still match.
            AppendText(hash, split.Description);
        }
        if (equalization != EqualizationScope.None)
        {
            // Appended only when set, like the split.
            AppendText(hash, $"equalization {equalization}");
        }

        if (data.Image is { } image)
        {
            AppendText(hash, string.Create(CultureInfo.InvariantCulture,
                $"image {image.Width}x{image.Height} {image.Resize} {image.Channels} {image.Layout} {image.Scale:R} [{string.Join(",", image.Mean.Select(m => m.ToString("R", CultureInfo.InvariantCulture)))}] [{string.Join(",", image.Std.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))}]"));
        }

        if (data.Text is { } text)
        {
            AppendText(hash, string.Create(CultureInfo.InvariantCulture, $"text {text.MaxLength} {text.LowerCase} {text.InputIdsName} {text.AttentionMaskName} {text.TokenTypeIdsName}"));
            AppendFile(hash, text.VocabularyPath);
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }

    private static void AppendFile(IncrementalHash hash, string path)
    {
        if (!File.Exists(path))
        {
            AppendText(hash, "missing");
            return;
        }

        using var stream = File.OpenRead(path);
        hash.AppendData(BitConverter.GetBytes(stream.Length));
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
    }
}
