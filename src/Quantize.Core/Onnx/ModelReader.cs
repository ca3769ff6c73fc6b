using Google.Protobuf;
using Quantize.Core.Diagnostics;
using Quantize.Core.Safety;

namespace Quantize.Core.Onnx;

/// <summary>
/// Reads an ONNX model from disk, validates that it really is one, and pulls external-data tensors
/// into memory (only from files inside the model's own folder).
/// </summary>
public static class ModelReader
{
    /// <summary>IR versions we have seen in the wild and know how to write back.</summary>
    private const long MaxKnownIrVersion = 12;

    /// <summary>
    /// Loads <paramref name="path"/> or throws a <see cref="QuantizeException"/> naming it. Also returns the
    /// bytes the model occupies on disk, external-data files included.
    /// </summary>
    public static (ModelProto Model, long StoredBytes) Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        InputFiles.RequireRegular(path, "model file", ErrorCodes.ModelNotFound, path);

        ModelProto model;
        try
        {
            // Parse straight from the stream: holding the whole file in a byte[] as well as in the
            // parsed ByteStrings would double peak memory on large models.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new QuantizeException(ErrorCodes.InvalidModel, path,
                $"'{path}' is not a readable ONNX model: {InPlainWords(ex)} (protobuf: {ex.Message})", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuantizeException(ErrorCodes.ModelNotFound, path, $"Cannot read the model file '{path}': {ex.Message}", ex);
        }

        Validate(model, path);
        long externalBytes = ExternalData.Resolve(model, path);
        TensorSizes.Check(model, path);
        return (model, new FileInfo(path).Length + externalBytes);
    }

    /// <summary>What a protobuf parse failure means for someone holding a model file.</summary>
    internal static string InPlainWords(InvalidProtocolBufferException ex) => ex.Message switch
    {
        var m when m.Contains("ended unexpectedly", StringComparison.Ordinal) || m.Contains("truncated", StringComparison.OrdinalIgnoreCase)
            => "the file ends in the middle of the model, so it is truncated (an incomplete download or copy?).",
        var m when m.Contains("levels of nesting", StringComparison.Ordinal)
            => "its subgraphs are nested more than 100 levels deep.",
        var m when m.Contains("too large", StringComparison.OrdinalIgnoreCase)
            => "it is larger than one protobuf message may be (2 GB); large weights belong in external data.",
        _ => "its bytes do not form an ONNX model (the file is corrupt, or another kind of file).",
    };

    /// <summary>
    /// Protobuf is permissive: many non-ONNX files parse as *some* message. Require the fields every
    /// real model has so that a PNG or a text file is rejected with a clear message.
    /// </summary>
    private static void Validate(ModelProto model, string path)
    {
        if (!model.HasIrVersion || model.IrVersion < 1 || model.IrVersion > MaxKnownIrVersion)
        {
            throw new QuantizeException(ErrorCodes.InvalidModel, path,
                $"'{path}' is not an ONNX model: missing or implausible ir_version ({(model.HasIrVersion ? model.IrVersion : "none")}).");
        }

        if (model.Graph is null || model.Graph.Output.Count == 0)
        {
            throw new QuantizeException(ErrorCodes.InvalidModel, path,
                $"'{path}' is not an ONNX model: it has no graph or the graph has no outputs.");
        }

        if (model.OpsetImport.Count == 0 && model.IrVersion >= 3)
        {
            throw new QuantizeException(ErrorCodes.InvalidModel, path,
                $"'{path}' declares no opset_import; ONNX models with IR version 3 or later must.");
        }
    }
}
