using System.IO.Compression;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Quantize.Core.Onnx;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// Reads tensor calibration files: one <c>.npy</c> per sample of a single-input model, one <c>.npz</c> per
/// sample holding every input by name, and ONNX test-data folders (<c>test_data_set_N/input_K.pb</c>)
/// where the folder is the sample and file K feeds the model's K-th input.
/// </summary>
internal static partial class TensorFileReader
{
    /// <summary>A .npy file: the value of the model's only input.</summary>
    public static Dictionary<string, CalibrationTensor> ReadNpy(string path, IReadOnlyList<ModelInput> inputs)
    {
        var tensor = NpyReader.Read(File.ReadAllBytes(path), path);
        if (inputs.Count != 1)
        {
            // Each .npy names no input; with several inputs use .npz (or pb folders) instead.
            return new(StringComparer.Ordinal) { [Path.GetFileNameWithoutExtension(path)] = tensor };
        }

        return new(StringComparer.Ordinal) { [inputs[0].Name] = tensor };
    }

    /// <summary>A .npz archive: entry "name.npy" is the value of input "name".</summary>
    public static Dictionary<string, CalibrationTensor> ReadNpz(string path)
    {
        var tensors = new Dictionary<string, CalibrationTensor>(StringComparer.Ordinal);
        using var archive = ZipFile.OpenRead(path);
        foreach (var entry in archive.Entries.OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            tensors[entry.FullName[..^4]] = NpyReader.Read(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), $"{path}:{entry.FullName}");
        }

        return tensors;
    }

    /// <summary>
    /// The .pb files of one folder: each feeds the input its TensorProto names, else the K-th input by its
    /// <c>input_K.pb</c> file name, else (one file, one input) the only input.
    /// </summary>
    public static Dictionary<string, CalibrationTensor> ReadPbFolder(IReadOnlyList<string> files, IReadOnlyList<ModelInput> inputs)
    {
        var tensors = new Dictionary<string, CalibrationTensor>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            TensorProto proto;
            try
            {
                proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(file));
            }
            catch (InvalidProtocolBufferException ex)
            {
                throw new FormatException($"'{file}' is not an ONNX TensorProto: {ex.Message}", ex);
            }

            var name = inputs.Any(i => i.Name == proto.Name) ? proto.Name
                : PbIndex(file) is int k && k < inputs.Count ? inputs[k].Name
                : files.Count == 1 && inputs.Count == 1 ? inputs[0].Name
                : proto.Name.Length > 0 ? proto.Name : Path.GetFileNameWithoutExtension(file);
            tensors[name] = TensorProtoConverter.ToCalibrationTensor(proto, file);
        }

        return tensors;
    }

    /// <summary>K of <c>input_K.pb</c>, or null.</summary>
    public static int? PbIndex(string file)
    {
        var match = InputFileName().Match(Path.GetFileName(file));
        return match.Success && int.TryParse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out int k) ? k : null;
    }

    [GeneratedRegex(@"^input_(\d+)\.pb$")]
    private static partial Regex InputFileName();
}
