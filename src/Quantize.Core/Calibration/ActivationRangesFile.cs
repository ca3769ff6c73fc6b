using System.Text;
using System.Text.Json;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Calibration;

/// <summary>
/// Saves and loads <see cref="ActivationRanges"/> as a small JSON file beside the cached model, so that
/// re-quantizing with other quantizer settings but the same data and method skips calibration. The text is
/// deterministic: names in ordinal order, floats in their shortest round-trip form, no timestamps.
/// <code>{ "method": "MinMax", "ranges": { "conv1": { "min": -1.5, "max": 2 } } }</code>
/// </summary>
public static class ActivationRangesFile
{
    /// <summary>The JSON text of <paramref name="ranges"/>.</summary>
    public static string ToJson(ActivationRanges ranges) => ToJson(ranges, stamp: null);

    /// <summary>
    /// The JSON text of <paramref name="ranges"/>, stamped with the <see cref="CalibrationFingerprint"/> of
    /// what produced them and the sample count, so a later run can tell whether they still apply.
    /// </summary>
    public static string ToJson(ActivationRanges ranges, RangesStamp? stamp) => ToJson(ranges, stamp, withHash: stamp is not null);

    /// <summary>
    /// The text, with (when <paramref name="withHash"/>) a SHA-256 of the same text without it, so a saved file whose
    /// numbers were edited is recognized as damaged instead of being trusted.
    /// </summary>
    private static string ToJson(ActivationRanges ranges, RangesStamp? stamp, bool withHash)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var hash = withHash ? ContentHash(ToJson(ranges, stamp, withHash: false)) : null;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            if (hash is not null)
            {
                writer.WriteString("sha256", hash);
            }

            if (stamp is not null)
            {
                writer.WriteString("fingerprint", stamp.Fingerprint);
                writer.WriteNumber("samples", stamp.SampleCount);
            }

            writer.WriteString("method", ranges.Method);
            writer.WriteStartObject("ranges");
            foreach (var (name, range) in ranges.Ranges)
            {
                writer.WriteStartObject(name);
                writer.WriteNumber("min", range.Min);
                writer.WriteNumber("max", range.Max);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>Parses JSON written by <see cref="ToJson(ActivationRanges)"/>.</summary>
    /// <exception cref="FormatException">The text is not a ranges file.</exception>
    public static ActivationRanges FromJson(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var ranges = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
            foreach (var property in root.GetProperty("ranges").EnumerateObject())
            {
                ranges[property.Name] = new TensorRange(property.Value.GetProperty("min").GetSingle(), property.Value.GetProperty("max").GetSingle());
            }

            return new ActivationRanges(ranges, root.GetProperty("method").GetString() ?? string.Empty);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"Not an activation ranges file: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the ranges to <paramref name="path"/> (atomically: a temporary file, then a move).</summary>
    public static void Save(ActivationRanges ranges, string path) => Save(ranges, path, stamp: null);

    /// <summary>Writes the ranges and their <paramref name="stamp"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(ActivationRanges ranges, string path, RangesStamp? stamp)
    {
        if (Safety.FileKinds.Of(path) is not (Safety.FileKind.Missing or Safety.FileKind.Regular) || Path.EndsInDirectorySeparator(path))
        {
            throw new QuantizeException(ErrorCodes.OutputPathRefused, path,
                $"The calibration ranges file '{path}' is {Safety.FileKinds.Describe(Safety.FileKinds.Of(path))}; name a JSON file to write (for example {Path.Join(path, "ranges.json")}).");
        }

        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }

            File.WriteAllText(temporary, ToJson(ranges, stamp), new UTF8Encoding(false));
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuantizeException(ErrorCodes.OutputWriteFailed, path, $"Cannot write the calibration ranges '{path}': {ex.Message}", ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads ranges saved by <see cref="Save(ActivationRanges, string)"/>; null when the file is missing or unreadable (then calibrate again).</summary>
    public static ActivationRanges? TryLoad(string path)
    {
        try
        {
            return File.Exists(path) ? FromJson(File.ReadAllText(path)) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads ranges saved with a stamp whose fingerprint equals <paramref name="fingerprint"/>; null when the file is
    /// missing or from other data or settings (then calibrate again). A file that is damaged — unreadable, its content
    /// hash wrong, a range not finite or not ordered — is also null, with <paramref name="damage"/> saying what is wrong.
    /// </summary>
    public static (ActivationRanges Ranges, RangesStamp Stamp)? TryLoadMatching(string path, string fingerprint, out string? damage)
    {
        damage = null;
        if (Safety.FileKinds.Of(path) == Safety.FileKind.Missing)
        {
            return null;
        }

        try
        {
            Safety.InputFiles.RequireRegular(path, "calibration ranges file", ErrorCodes.CalibrationFileUnreadable, path);
            var json = File.ReadAllText(path);
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (!root.TryGetProperty("fingerprint", out var stored) || stored.GetString() != fingerprint)
            {
                return null;
            }

            var ranges = FromJson(json);
            var stamp = new RangesStamp(fingerprint, root.GetProperty("samples").GetInt32());
            if (!root.TryGetProperty("sha256", out var hash) || hash.GetString() != ContentHash(ToJson(ranges, stamp, withHash: false)))
            {
                damage = "its content does not match its SHA-256 (edited or damaged)";
            }
            else if (ranges.Ranges.FirstOrDefault(r => !float.IsFinite(r.Value.Min) || !float.IsFinite(r.Value.Max) || r.Value.Min > r.Value.Max) is { Key: not null } bad)
            {
                damage = $"tensor '{bad.Key}' has the range [{bad.Value.Min}, {bad.Value.Max}]";
            }

            return damage is null ? (ranges, stamp) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or JsonException or InvalidOperationException or KeyNotFoundException or QuantizeException)
        {
            damage = $"it cannot be read ({ex.Message})";
            return null;
        }
    }

    private static string ContentHash(string text) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
