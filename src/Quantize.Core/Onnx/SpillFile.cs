using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using Quantize.Core.Diagnostics;

namespace Quantize.Core.Onnx;

/// <summary>
/// A scratch file that takes the tensors a pass creates out of managed memory: each tensor's bytes are appended to the
/// file and its raw_data pointed at a read-only mapping of them (<see cref="MappedFile"/>), so a quantized multi-GB
/// model is not held whole in the heap while the rest of it is quantized; the writes overlap the quantization of the
/// next weights. Used only for models with external data; it lives in the run's staging folder and is created on the
/// first tensor it takes. Tensors are placed as the writer
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

    /// <summary>
    /// Bytes written in the background while the pass goes on to the next weight; past this, <see cref="Take"/> waits for
    /// the oldest, so the tensors not yet on disk stay a bounded amount of memory.
    /// </summary>
    private const long MaxPendingBytes = 128L << 20;

    private readonly string _path;
    private readonly Dictionary<TensorProto, (ByteString Bytes, long Offset)> _placed = new(ReferenceEqualityComparer.Instance);
    private readonly Queue<Pending> _pending = new();
    private SafeFileHandle? _handle;
    private Task _lastWrite = Task.CompletedTask;
    private long _end;
    private long _pendingBytes;
    private long _sinceCollection;

    /// <summary>A spill file at <paramref name="path"/>, which must not exist.</summary>
    public SpillFile(string path) => _path = path;

    /// <summary>
    /// Moves <paramref name="tensor"/>'s raw_data into the file when it is large and still in managed memory. The write
    /// runs in the background, one after another in the order taken; the tensor keeps its managed bytes until it is on disk,
    /// and is pointed at the mapping on a later call (or in <see cref="MoveTo"/>), on the caller's thread, so nothing
    /// else ever sees a tensor change under it.
    /// </summary>
    public void Take(TensorProto tensor)
    {
        var bytes = tensor.RawData;
        if (bytes.Length < MinBytes || MappedFile.IsMapped(bytes))
        {
            return;
        }

        try
        {
            _handle ??= File.OpenHandle(_path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(ex);
        }

        // Positional writes at the writer's alignment: the gaps read as zeros, as the writer's padding does.
        long offset = ModelWriter.Align(_end);
        _end = offset + bytes.Length;
        var handle = _handle;
        _lastWrite = _lastWrite.ContinueWith(previous =>
        {
            previous.GetAwaiter().GetResult(); // a failed write fails every later one: the file is incomplete
            RandomAccess.Write(handle, bytes.Span, offset);
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        _pending.Enqueue(new Pending(tensor, bytes, offset, _lastWrite));
        _pendingBytes += bytes.Length;
        Settle(all: false);
    }

    /// <summary>Where in this file <paramref name="tensor"/>'s bytes lie, or null when it holds other bytes now (or never came here).</summary>
    public long? OffsetOf(TensorProto tensor) =>
        _placed.TryGetValue(tensor, out var placed) && ReferenceEquals(placed.Bytes, tensor.RawData) ? placed.Offset : null;

    /// <summary>
    /// Completes the writes, closes the file and moves it to <paramref name="dataPath"/> (the model's external-data file,
    /// which it replaces); false when it holds nothing or cannot be moved (a platform that refuses to rename a mapped
    /// file), and the writer then copies as it would without it. The tensors that read it keep their mappings.
    /// </summary>
    public bool MoveTo(string dataPath)
    {
        if (_handle is null)
        {
            return false;
        }

        Settle(all: true); // the writer reads the offsets next
        _handle.Dispose();
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

    /// <summary>Waits for the writes in flight (a failed run's are dropped with the staging folder) and closes the file.</summary>
    public void Dispose()
    {
        try
        {
            _lastWrite.Wait();
        }
        catch (AggregateException)
        {
            // Already reported by Take or MoveTo, or the run failed for another reason first.
        }

        _handle?.Dispose();
    }

    /// <summary>
    /// Points the tensors whose writes are done at their mappings, oldest first: every one when <paramref name="all"/>,
    /// else those already written and as many as keep the bytes in flight under <see cref="MaxPendingBytes"/>.
    /// </summary>
    private void Settle(bool all)
    {
        while (_pending.TryPeek(out var next) && (all || _pendingBytes > MaxPendingBytes || next.Write.IsCompleted))
        {
            _pending.Dequeue();
            try
            {
                next.Write.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw WriteFailed(ex);
            }

            _pendingBytes -= next.Bytes.Length;
            // A pass that replaced the tensor's bytes since keeps its own; the written ones are then never read.
            if (ReferenceEquals(next.Tensor.RawData, next.Bytes))
            {
                next.Tensor.RawData = MappedFile.Open(_path, next.Offset, next.Bytes.Length)!.Range(0, next.Bytes.Length);
                _placed[next.Tensor] = (next.Tensor.RawData, next.Offset);
            }

            if ((_sinceCollection += next.Bytes.Length) >= CollectEveryBytes)
            {
                _sinceCollection = 0;
                GC.Collect();
            }
        }
    }

    private QuantizeException WriteFailed(Exception ex) => new(ErrorCodes.OutputWriteFailed, _path,
        $"Cannot write the scratch file '{_path}' that holds quantized weights until the model is written: {ex.Message}", ex);

    /// <summary>A tensor whose bytes are being written at <paramref name="Offset"/>.</summary>
    private sealed record Pending(TensorProto Tensor, ByteString Bytes, long Offset, Task Write);

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
