using Quantize.Core.Diagnostics;

namespace Quantize.Core.Onnx;

/// <summary>
/// A scratch file that takes the tensors a pass creates out of managed memory: each tensor's bytes are appended to the
/// file and its raw_data pointed at a read-only mapping of them (<see cref="MappedFile"/>), so a quantized multi-GB
/// model is not held whole in the heap while the rest of it is quantized, and the writer reads it back one tensor at a
/// time. Used only for models with external data; it lives in the run's staging folder, which is deleted after the run,
/// and is created on the first tensor it takes.
/// </summary>
internal sealed class SpillFile : IDisposable
{
    /// <summary>Smaller tensors (scales of small weights, shapes) stay in memory: their mappings would cost more than they save.</summary>
    public const int MinBytes = 64 * 1024;

    private readonly string _path;
    private FileStream? _stream;

    /// <summary>A spill file at <paramref name="path"/>, which must not exist.</summary>
    public SpillFile(string path) => _path = path;

    /// <summary>Moves <paramref name="tensor"/>'s raw_data into the file when it is large and still in managed memory.</summary>
    public void Take(TensorProto tensor)
    {
        var bytes = tensor.RawData;
        if (bytes.Length < MinBytes || MappedFile.IsMapped(bytes))
        {
            return;
        }

        try
        {
            _stream ??= new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
            long offset = _stream.Length;
            _stream.Write(bytes.Span);
            tensor.RawData = MappedFile.Open(_path, offset, bytes.Length)!.Range(0, bytes.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuantizeException(ErrorCodes.OutputWriteFailed, _path,
                $"Cannot write the scratch file '{_path}' that holds quantized weights until the model is written: {ex.Message}", ex);
        }
    }

    /// <summary>Closes the file and deletes it (mapped ranges still in use keep reading it where the platform allows).</summary>
    public void Dispose()
    {
        if (_stream is null)
        {
            return;
        }

        _stream.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Windows refuses while a mapping is open; the staging folder it lies in is deleted after the run.
        }
    }
}
