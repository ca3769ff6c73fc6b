using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Quantize.Core.Onnx;

/// <summary>
/// A read-only memory mapping of a weight file, handing out tensor ranges as <see cref="ByteString"/>s that read the
/// mapping in place. This is what keeps memory bounded on large models: nothing is copied when a model is read, a
/// weight's pages come in from the operating system's file cache when a pass reads it, and
/// <see cref="ReleaseResident(ByteString)"/> lets them go again once the weight is done, so the process holds about one
/// weight at a time, whatever the model's size.
/// </summary>
/// <remarks>
/// The mapping lives as long as any ByteString cut from it (each holds it through its memory manager) and the
/// finalizer unmaps it after the last one is gone, so no reader can see an unmapped page, and a file is never held
/// open (locked, on Windows) past its last tensor. Nothing writes to these ranges: ByteStrings are immutable, and
/// every pass builds new tensors rather than editing raw_data in place. A file truncated by another process while it is
/// mapped would fault on the next read; model files are inputs nobody edits during a build.
/// </remarks>
internal sealed unsafe partial class MappedFile
{
    private static readonly List<WeakReference<MappedFile>> Live = [];

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;

    private MappedFile(FileStream stream, long offset, long length)
    {
        Length = length;
        _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        _view = _file.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _start = pointer + _view.PointerOffset;
        lock (Live)
        {
            Live.RemoveAll(r => !r.TryGetTarget(out _));
            Live.Add(new WeakReference<MappedFile>(this));
        }
    }

    ~MappedFile()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>The number of bytes mapped.</summary>
    public long Length { get; }

    /// <summary>
    /// Maps all of <paramref name="path"/> (a regular file the caller vetted), or returns null when it is empty, which
    /// cannot be mapped and has no bytes to give anyway.
    /// </summary>
    public static MappedFile? Open(string path) => Open(path, 0, length: null);

    /// <summary>
    /// Maps <paramref name="length"/> bytes of <paramref name="path"/> from <paramref name="offset"/> (the whole file
    /// when null), or returns null when that is nothing. Others may go on writing the file (a spill file is mapped
    /// piece by piece as it grows) or delete it.
    /// </summary>
    public static MappedFile? Open(string path, long offset, long? length)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        long mapped = length ?? stream.Length - offset;
        if (mapped <= 0)
        {
            stream.Dispose();
            return null;
        }

        try
        {
            return new MappedFile(stream, offset, mapped);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="bytes"/> read a mapping (rather than managed memory).</summary>
    public static bool IsMapped(ByteString bytes) => MemoryMarshal.TryGetMemoryManager(bytes.Memory, out MappedRange? _);

    /// <summary>
    /// Bytes [<paramref name="offset"/>, +<paramref name="length"/>) of the mapping as a ByteString that reads them in
    /// place (the caller checked the range against <see cref="Length"/>).
    /// </summary>
    public ByteString Range(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{length}) is outside a mapping of {Length} bytes.");
        }

        return length == 0 ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(new MappedRange(this, _start + offset, length).Memory);
    }

    /// <summary>
    /// Drops the pages under <paramref name="bytes"/> from this process's resident memory when they come from a mapping
    /// (they stay in the operating system's file cache and come back on the next read); nothing otherwise. Called once a
    /// pass or the writer is done with a weight. Best effort: a no-op where the platform has no such call.
    /// </summary>
    public static void ReleaseResident(ByteString bytes)
    {
        if (MemoryMarshal.TryGetMemoryManager(bytes.Memory, out MappedRange? range))
        {
            range.Release();
        }
    }

    /// <summary>
    /// Maps the pages under <paramref name="bytes"/> into the resident set in one call, ahead of a pass reading all of
    /// them (Linux 5.14+ <c>MADV_POPULATE_READ</c>): cheaper than taking a page fault every few pages. Best effort.
    /// </summary>
    public static void Populate(ByteString bytes)
    {
        if (OperatingSystem.IsLinux() && MemoryMarshal.TryGetMemoryManager(bytes.Memory, out MappedRange? range))
        {
            range.Advise(MadvisePopulateRead);
        }
    }

    /// <summary>
    /// <see cref="Populate"/> on a thread of its own, for the weight a pass reads next: its pages come from disk while
    /// the pass computes on the current one, instead of both cores waiting for them (a cold 6 GB decoder spent a
    /// third of its INT4 run so). A dedicated thread, not a pool worker: the read blocks, and the pass's parallel loops
    /// need every pool worker. Completed at once when the bytes are not mapped.
    /// </summary>
    public static Task PopulateAhead(ByteString bytes) =>
        OperatingSystem.IsLinux() && IsMapped(bytes)
            ? Task.Factory.StartNew(() => Populate(bytes), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : Task.CompletedTask;

    /// <summary>
    /// As <see cref="ReleaseResident(ByteString)"/> for every live mapping, whole: after a step that cannot say which
    /// weights it read (INT8's per-operator quantizers), and before ONNX Runtime loads a model.
    /// </summary>
    public static void ReleaseAllResident()
    {
        MappedFile[] live;
        lock (Live)
        {
            live = [.. Live.Select(r => r.TryGetTarget(out var file) ? file : null).OfType<MappedFile>()];
        }

        foreach (var file in live)
        {
            Release(file._start, file.Length);
            GC.KeepAlive(file);
        }
    }

    private static void Advise(byte* start, long length, int advice)
    {
        var (first, size) = WholePages(start, length);
        _ = Madvise(first, size, advice);
    }

    private static void Release(byte* start, long length)
    {
        if (OperatingSystem.IsWindows())
        {
            // Unlocking pages that were never locked removes them from the working set (documented behaviour).
            var (first, size) = WholePages(start, length);
            _ = VirtualUnlock(first, size);
        }
        else if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            // MADV_DONTNEED on a shared read-only file mapping drops the pages; later reads fault them back from the file.
            Advise(start, length, MadviseDontNeed);
        }
    }

    /// <summary>The whole pages covering a range: the start rounded down, the end up (a neighbour's page that goes too just faults back).</summary>
    private static (nint First, nuint Size) WholePages(byte* start, long length)
    {
        long page = Environment.SystemPageSize;
        long first = (long)start & ~(page - 1);
        long end = ((long)start + length + page - 1) & ~(page - 1);
        return ((nint)first, (nuint)(end - first));
    }

    private const int MadviseDontNeed = 4, MadvisePopulateRead = 22;

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport("kernel32.dll")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool VirtualUnlock(nint address, nuint size);

    /// <summary>One tensor's bytes inside the mapping; holds the mapping alive.</summary>
    private sealed class MappedRange(MappedFile owner, byte* start, int length) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => new(start, length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(start + elementIndex, default, this);

        public override void Unpin() => GC.KeepAlive(owner);

        public void Advise(int advice)
        {
            MappedFile.Advise(start, length, advice);
            GC.KeepAlive(owner);
        }

        public void Release()
        {
            MappedFile.Release(start, length);
            GC.KeepAlive(owner);
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
