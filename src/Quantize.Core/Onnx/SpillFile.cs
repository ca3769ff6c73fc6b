using Quantize.Core.Diagnostics;

namespace Quantize.Core.Onnx;

/// <summary>
/// A scratch file that takes the tensors a pass creates out of managed memory: each tensor's bytes are appended to the
/// file and its raw_data pointed at a read-only mapping of them (<see cref="MappedFile"/>), so a quantized multi-GB
/// model is not held whole in the heap while the rest of it is quantized, and the writer reads it back one tensor at a
/// time. Used only for models with external data; it lives in the run's staging folder, is created on the first tensor
/// it takes, and is deleted (<see cref="Delete"/>) once the model is written.
/// </summary>
internal sealed class SpillFile : IDisposable
{
    /// <summary>Smaller tensors (scales of small weights, shapes) stay in memory: their mappings would cost more than they save.</summary>
    public const int MinBytes = 64 * 1024;

    /// <summary>
    /// After this many bytes taken, the managed arrays they came from are collected: a pass allocates few objects
    /// between weights, so the garbage collector would otherwise keep hundreds of MB of them until the next load.
    /// </summary>
    private const long CollectEveryBytes = 256L << 20;

    private readonly string _path;
    private FileStream? _stream;
    private long _sinceCollection;

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
            if ((_sinceCollection += bytes.Length) >= CollectEveryBytes)
            {
                _sinceCollection = 0;
                GC.Collect();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new QuantizeException(ErrorCodes.OutputWriteFailed, _path,
                $"Cannot write the scratch file '{_path}' that holds quantized weights until the model is written: {ex.Message}", ex);
        }
    }

    /// <summary>Closes the file (the tensors that read it keep their mappings).</summary>
    public void Dispose() => _stream?.Dispose();

    /// <summary>
    /// Deletes the spill file at <paramref name="path"/>, if any, once the model whose tensors read it is gone. Windows
    /// refuses while a mapping is open, so the mappings are finalized first when a delete fails; should it still fail,
    /// the staging folder the file lies in is deleted after the run.
    /// </summary>
    public static void Delete(string path)
    {
        for (int attempt = 0; attempt < 2 && File.Exists(path); attempt++)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
    }
}
