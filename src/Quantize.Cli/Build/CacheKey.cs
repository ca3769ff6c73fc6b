using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Evaluation;
using Quantize.Core.Onnx;
using Quantize.Core.Settings;

namespace Quantize.Cli.Build;

/// <summary>
/// The content address of a quantized model: SHA-256 over the source model's bytes (and its external-data
/// files), the canonical settings and the engine version. Anything that can change the output is in it, so a
/// shared cache folder never serves a stale entry, and nothing else is (paths, timestamps), so two projects or
/// machines with the same model and settings share one entry.
/// </summary>
internal static class CacheKey
{
    /// <summary>The engine's informational version (with the commit when built from git), part of every key.</summary>
    public static string EngineVersion { get; } =
        typeof(QuantizeEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(QuantizeEngine).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    /// <summary>Computes the key (lowercase hex) and the source model's own SHA-256 (for the manifest).</summary>
    /// <remarks>
    /// <paramref name="settings"/> is the canonical settings text (<see cref="SettingValues.Canonical"/>).
    /// <paramref name="calibration"/> is the <see cref="Core.Calibration.CalibrationFingerprint"/> of static INT8 (the data
    /// files' bytes, preprocessing and method), or null. <paramref name="quality"/> is <see cref="QualityFacts"/>, or null
    /// when nothing is checked.
    /// </remarks>
    public static (string Key, string SourceSha256, long SourceBytes) Compute(string sourcePath, string settings, string? calibration = null, string? quality = null)
    {
        using var key = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var (sourceSha, sourceBytes) = HashFile(sourcePath);
        Append(key, "model", sourceSha);
        foreach (var external in ExternalDataFiles(sourcePath))
        {
            Append(key, "external:" + Path.GetFileName(external), HashFile(external).Sha256);
        }

        Append(key, "settings", settings);
        if (calibration is not null)
        {
            Append(key, "calibration", calibration);
        }

        if (quality is not null)
        {
            Append(key, "quality", quality);
        }

        Append(key, "engine", EngineVersion);
        return (Convert.ToHexString(key.GetHashAndReset()).ToLowerInvariant(), sourceSha, sourceBytes);
    }

    /// <summary>
    /// What the quality check does that no setting says directly, and what it compares on: whether outputs are compared
    /// at all (the CLI decides from several settings), the layer chart (it changes the report stored with the entry, so a
    /// run that wants it must not reuse one without), and the validation files by content, not by path.
    /// </summary>
    public static string QualityFacts(QualityCheckOptions quality, string modelPath)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"evaluate={quality.Evaluates},speed={quality.SpeedCheck},chart={quality.LayerChart}\n");
        if (quality.ValidationData is { } validation)
        {
            text += $"validation={CalibrationFingerprint.Compute(modelPath, validation, new CalibrationOptions())}\n";
        }

        return text;
    }

    /// <summary>SHA-256 of a file, streamed, and its length.</summary>
    public static (string Sha256, long Bytes) HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return (Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant(), stream.Length);
    }

    private static void Append(IncrementalHash hash, string label, string value)
    {
        // Length-prefixed fields: no two different (label, value) sequences hash the same bytes.
        var bytes = Encoding.UTF8.GetBytes(label + "\0" + value);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }

    /// <summary>External-data files the model names, sorted: found by a streaming scan and vetted by the engine's path policy.</summary>
    private static List<string> ExternalDataFiles(string sourcePath) => [.. ExternalData.Vet(sourcePath).Order(StringComparer.Ordinal)];
}
