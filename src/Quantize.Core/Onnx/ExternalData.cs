using Google.Protobuf;
using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;

namespace Quantize.Core.Onnx;

/// <summary>
/// Resolves tensors stored outside the .onnx file (<c>data_location = EXTERNAL</c>). Locations are
/// untrusted input: they may only name files inside the model's own folder, never absolute paths,
/// parent-folder escapes or links that lead elsewhere.
/// </summary>
public static class ExternalData
{
    /// <summary>Loads every external tensor of <paramref name="model"/> into <c>raw_data</c>; returns the bytes read.</summary>
    public static long Resolve(ModelProto model, string modelPath)
    {
        long bytesRead = 0;
        var modelDirectory = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        foreach (var tensor in ModelTensors.All(model))
        {
            if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
            {
                continue;
            }

            var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            if (!entries.TryGetValue("location", out var location) || string.IsNullOrWhiteSpace(location))
            {
                throw new QuantizeException(ErrorCodes.MissingExternalData, modelPath,
                    $"Tensor '{tensor.Name}' is stored externally but names no location.");
            }

            var file = ResolveInside(modelDirectory, location, tensor.Name, modelPath);
            long offset = ParseLong(entries, "offset", 0, tensor.Name, modelPath);
            long length = ParseLong(entries, "length", -1, tensor.Name, modelPath);
            tensor.RawData = ReadRange(file, offset, length, tensor.Name, modelPath);
            bytesRead += tensor.RawData.Length;
            tensor.ExternalData.Clear();
            tensor.ClearDataLocation();
        }

        return bytesRead;
    }

    /// <summary>
    /// Returns the full path of <paramref name="location"/> if, and only if, it stays inside
    /// <paramref name="modelDirectory"/> after normalisation and after following a link.
    /// </summary>
    internal static string ResolveInside(string modelDirectory, string location, string tensorName, string modelPath)
    {
        QuantizeException Hostile(string why) => new(ErrorCodes.HostileExternalData, modelPath,
            $"Tensor '{tensorName}' has external-data location '{location}', which {why}; only files inside '{modelDirectory}' are read.");

        if (location.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(location) || location.Contains(':', StringComparison.Ordinal))
        {
            throw Hostile("is an absolute or drive-qualified path");
        }

        var root = Path.TrimEndingDirectorySeparator(modelDirectory) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(modelDirectory, location));
        if (!full.StartsWith(root, StringComparison.Ordinal))
        {
            throw Hostile("leaves the model's folder");
        }

        if (!File.Exists(full))
        {
            throw new QuantizeException(ErrorCodes.MissingExternalData, modelPath,
                $"Tensor '{tensorName}' refers to external-data file '{location}', which does not exist.");
        }

        // A symbolic link inside the folder may still point outside it.
        var target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true);
        if (target is not null && !Path.GetFullPath(target.FullName).StartsWith(root, StringComparison.Ordinal))
        {
            throw Hostile("is a link to a file outside the model's folder");
        }

        return full;
    }

    private static long ParseLong(Dictionary<string, string> entries, string key, long fallback, string tensorName, string modelPath)
    {
        if (!entries.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new QuantizeException(ErrorCodes.MissingExternalData, modelPath,
                $"Tensor '{tensorName}' has an invalid external-data {key} '{text}'.");
        }

        return value;
    }

    private static ByteString ReadRange(string file, long offset, long length, string tensorName, string modelPath)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        if (length < 0)
        {
            length = stream.Length - offset;
        }

        if (offset < 0 || offset + length > stream.Length || length > int.MaxValue)
        {
            throw new QuantizeException(ErrorCodes.MissingExternalData, modelPath,
                $"Tensor '{tensorName}' needs bytes {offset}..{offset + length} of '{Path.GetFileName(file)}', which has only {stream.Length}.");
        }

        var buffer = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(buffer);
        return UnsafeByteOperations.UnsafeWrap(buffer);
    }
}
