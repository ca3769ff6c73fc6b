using Google.Protobuf;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Onnx;

/// <summary>
/// A scratch file that takes the tensors a pass creates out of managed memory: each tensor's bytes are appended to the
/// file and its raw_data pointed at a read-only mapping of them (<see cref="MappedFile"/>), so a quantized multi-GB
/// model is not held whole in the heap while the rest of it is quantized. Used only for models with external data; it
/// lives in the run's staging folder and is created on the first tensor it takes. Tensors are placed as the writer
/// places them in an external-data file (<see cref="ModelWriter.DataAlignment"/>), so when the model goes out with
/// external data the writer adopts this file as the model's <c>.data</c> (<see cref="MoveTo"/>) and appends only what
/// is not in it yet, instead of copying every quantized byte a second time. Otherwise it is deleted
/// (<see cref="Delete"/>) once the model is written.
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

    private static readonly byte[] Padding = new byte[ModelWriter.DataAlignment];

    private readonly string _path;
    private readonly Dictionary<TensorProto, (ByteString Bytes, long Offset)> _placed = new(ReferenceEqualityComparer.Instance);
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
            long offset = ModelWriter.Align(_stream.Length);
            _stream.Write(Padding, 0, (int)(offset - _stream.Length));
            _stream.Write(bytes.Span);
            tensor.RawData = MappedFile.Open(_path, offset, bytes.Length)!.Range(0, bytes.Length);
            _placed[tensor] = (tensor.RawData, offset);
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

    /// <summary>Where in this file <paramref name="tensor"/>'s bytes lie, or null when it holds other bytes now (or never came here).</summary>
    public long? OffsetOf(TensorProto tensor) =>
        _placed.TryGetValue(tensor, out var placed) && ReferenceEquals(placed.Bytes, tensor.RawData) ? placed.Offset : null;

    /// <summary>
    /// Closes the file and moves it to <paramref name="dataPath"/> (the model's external-data file, which it replaces);
    /// false when it holds nothing or cannot be moved (a platform that refuses to rename a mapped file), and the writer then
    /// copies as it would without it. The tensors that read it keep their mappings.
    /// </summary>
    public bool MoveTo(string dataPath)
    {
        if (_stream is null)
        {
            return false;
        }

        _stream.Dispose();
        try
        {
            File.Move(_path, dataPath, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
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
