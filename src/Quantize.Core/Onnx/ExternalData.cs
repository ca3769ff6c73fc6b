using Google.Protobuf;
using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;
using Quantize.Core.Safety;

namespace Quantize.Core.Onnx;

/// <summary>
/// Resolves tensors stored outside the .onnx file (<c>data_location = EXTERNAL</c>). Locations are
/// untrusted input: they may only name files inside the model's own folder, never absolute paths,
/// parent-folder escapes or links that lead elsewhere.
/// </summary>
public static class ExternalData
{
    /// <summary>
    /// Points every external tensor of <paramref name="model"/>'s <c>raw_data</c> at its bytes in a read-only memory
    /// mapping of its file (<see cref="MappedFile"/>: nothing is copied, and a weight's pages are read when a pass
    /// reads it); returns the bytes the tensors occupy.
    /// </summary>
    public static long Resolve(ModelProto model, string modelPath)
    {
        long bytesRead = 0;
        var modelDirectory = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var mappings = new Dictionary<string, MappedFile?>(StringComparer.Ordinal);
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
            if (!mappings.TryGetValue(file, out var mapping))
            {
                mappings[file] = mapping = Map(file, modelPath);
            }

            tensor.RawData = Range(mapping, file, offset, length, tensor.Name, modelPath);
            bytesRead += tensor.RawData.Length;
            tensor.ExternalData.Clear();
            tensor.ClearDataLocation();
        }

        return bytesRead;
    }

    /// <summary>
    /// Checks every external-data location <paramref name="modelPath"/> names against the same policy as
    /// <see cref="Resolve"/>, without reading weights; returns the real paths of the files they name. Run before
    /// ONNX Runtime is given the model's path, since it resolves external data on its own.
    /// </summary>
    public static IReadOnlyList<string> Vet(string modelPath)
    {
        var modelDirectory = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        return [.. ExternalReferences.Scan(modelPath)
            .Select(r => ResolveInside(modelDirectory, r.Location, r.Tensor, modelPath))
            .Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Returns the real path of <paramref name="location"/> if, and only if, the file the operating system would open
    /// for it lies inside <paramref name="modelDirectory"/> and is a regular file. Every component is resolved
    /// (<see cref="RealPath"/>), so a link to a folder elsewhere is caught as well as a link to a file; the
    /// returned path holds no links, so what is read is what was checked.
    /// </summary>
    internal static string ResolveInside(string modelDirectory, string location, string tensorName, string modelPath)
    {
        QuantizeException Hostile(string why) => new(ErrorCodes.HostilePath, modelPath,
            $"Tensor '{tensorName}' has external-data location '{location}', which {why}; only regular files inside '{modelDirectory}' are read.");

        if (location.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(location) || location.Contains(':', StringComparison.Ordinal))
        {
            throw Hostile("is an absolute or drive-qualified path");
        }

        string realFolder, full;
        try
        {
            realFolder = RealPath.Of(modelDirectory);
            full = RealPath.Under(realFolder, location);
        }
        catch (IOException ex)
        {
            throw Hostile($"cannot be resolved ({ex.Message})");
        }

        if (!RealPath.IsInside(full, realFolder))
        {
            throw Hostile(FileKinds.Of(Path.GetFullPath(Path.Combine(modelDirectory, location)), followLinks: false) == FileKind.SymbolicLink
                ? "is a link to a file outside the model's folder"
                : "leaves the model's folder");
        }

        switch (FileKinds.Of(full))
        {
            case FileKind.Regular:
                return full;
            case FileKind.Missing:
                throw new QuantizeException(ErrorCodes.MissingExternalData, modelPath,
                    $"Tensor '{tensorName}' refers to external-data file '{location}', which does not exist.");
            default:
                throw Hostile($"is {FileKinds.Describe(FileKinds.Of(full))}, not a regular file");
        }
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

    private static MappedFile? Map(string file, string modelPath)
    {
        try
        {
            return MappedFile.Open(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuantizeException(ErrorCodes.MissingExternalData, modelPath, $"Cannot read the external-data file '{file}': {ex.Message}", ex);
        }
    }

    private static ByteString Range(MappedFile? mapping, string file, long offset, long length, string tensorName, string modelPath)
    {
        long fileLength = mapping?.Length ?? 0;
        if (length < 0)
        {
            length = offset is >= 0 && offset <= fileLength ? fileLength - offset : 0;
        }

        // Compared without adding: an offset near 2^63 must not wrap around into a plausible range.
        if (offset < 0 || offset > fileLength || length < 0 || length > fileLength - offset)
        {
            throw new QuantizeException(ErrorCodes.MissingExternalData, modelPath,
                $"Tensor '{tensorName}' needs {length} bytes from offset {offset} of '{Path.GetFileName(file)}', which has only {fileLength}.");
        }

        if (length > Array.MaxLength)
        {
            throw new QuantizeException(ErrorCodes.InconsistentTensor, modelPath,
                $"Tensor '{tensorName}' claims {length} bytes of external data; one tensor can hold at most {Array.MaxLength}.");
        }

        return length == 0 ? ByteString.Empty : mapping!.Range(offset, (int)length);
    }
}
