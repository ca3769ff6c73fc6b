using Google.Protobuf;
using Quantize.Core.Diagnostics;
using Quantize.Core.Graph;

namespace Quantize.Core.Onnx;

/// <summary>
/// Writes a model (and, past a size, its external-data file) in place. Callers write into a private staging folder
/// (<see cref="StagedOutput"/>) and move the result into place once it is checked, so this adds no temporary files of
/// its own; on a failure it deletes what it wrote.
/// </summary>
public static class ModelWriter
{
    /// <summary>
    /// Protobuf messages cannot exceed 2 GiB. Past this total of tensor bytes, large tensors go to an
    /// external-data file beside the model (named after it, with a <c>.data</c> suffix).
    /// </summary>
    public const long InlineLimitBytes = 1_800_000_000;

    /// <summary>
    /// A model whose weights were memory-mapped (it came with external data) goes out with external data from this
    /// total on: ONNX Runtime maps an external-data file but must parse an inline model's weights, which took 11 s
    /// instead of 1.4 s for a 1.1 GB INT4 decoder (docs/measured-results.md). Such a model is past the size the build
    /// embeds by default, so nothing that was embedded by default changes.
    /// </summary>
    public const long MappedInlineLimitBytes = 1L << 30;

    /// <summary>Alignment of each tensor in an external-data file: ONNX Runtime memory-maps external data when offsets are page aligned.</summary>
    internal const int DataAlignment = 4096;

    private const int ExternalTensorMinBytes = 1024;

    /// <summary><paramref name="offset"/> rounded up to <see cref="DataAlignment"/>.</summary>
    internal static long Align(long offset) => (offset + DataAlignment - 1) & ~(long)(DataAlignment - 1);

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>; returns the bytes written (all files).</summary>
    public static long Save(ModelProto model, string path) => Save(model, path, ExternalDataMode.Auto);

    /// <summary>As <see cref="Save(ModelProto, string)"/>, with the weights where <paramref name="mode"/> says.</summary>
    public static long Save(ModelProto model, string path, ExternalDataMode mode) => Save(model, path, mode, spill: null);

    /// <summary>
    /// As <see cref="Save(ModelProto, string, ExternalDataMode)"/>; when the model goes out with external data, the
    /// tensors already in <paramref name="spill"/> stay where they are and that file becomes the model's <c>.data</c>.
    /// </summary>
    internal static long Save(ModelProto model, string path, ExternalDataMode mode, SpillFile? spill) => mode switch
    {
        ExternalDataMode.Always => Save(model, path, inlineLimitBytes: -1, spill),
        ExternalDataMode.Never => Save(model, path, inlineLimitBytes: long.MaxValue, spill),
        _ => Save(model, path, AutoLimit(model), spill),
    };

    /// <summary>As <see cref="Save(ModelProto, string)"/> with an explicit inline limit (tests use a small one).</summary>
    internal static long Save(ModelProto model, string path, long inlineLimitBytes, SpillFile? spill = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var dataFileName = Path.GetFileName(fullPath) + ".data";
        var dataPath = Path.Combine(directory, dataFileName);
        try
        {
            Directory.CreateDirectory(directory);
            long total = 0;
            if (ModelTensors.All(model).Sum(t => (long)t.RawData.Length) > inlineLimitBytes)
            {
                total += MoveLargeTensorsToFile(model, dataPath, dataFileName, spill);
            }

            using (var stream = new FileStream(fullPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                model.WriteTo(stream);
                total += stream.Length;
            }

            return total;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(fullPath);
            TryDelete(dataPath);
            throw new QuantizeException(ErrorCodes.OutputWriteFailed, path, $"Cannot write '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Auto's inline limit: <see cref="MappedInlineLimitBytes"/> for a model read from a mapping, else <see cref="InlineLimitBytes"/>.</summary>
    private static long AutoLimit(ModelProto model) =>
        ModelTensors.All(model).Any(t => MappedFile.IsMapped(t.RawData)) ? MappedInlineLimitBytes : InlineLimitBytes;

    private static long MoveLargeTensorsToFile(ModelProto model, string dataPath, string location, SpillFile? spill)
    {
        bool adopted = spill?.MoveTo(dataPath) == true;
        // Shared with readers: the adopted file's tensors are still mapped by this process.
        using var data = new FileStream(dataPath, adopted ? FileMode.Open : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        foreach (var tensor in ModelTensors.All(model))
        {
            if (tensor.RawData.Length < ExternalTensorMinBytes)
            {
                continue;
            }

            if (!(adopted && spill!.OffsetOf(tensor) is long offset))
            {
                offset = Align(data.Length);
                data.SetLength(offset);
                data.Position = offset;
                data.Write(tensor.RawData.Span);
            }

            MappedFile.ReleaseResident(tensor.RawData);
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.RawData = ByteString.Empty;
        }

        return data.Length;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the staging folder it lies in is deleted anyway; never mask the real error.
        }
    }
}
