using System.Runtime.InteropServices;

namespace Quantize.Core.Safety;

/// <summary>What a path names on disk, told apart without opening it (opening a FIFO for reading blocks).</summary>
public enum FileKind
{
    /// <summary>Nothing exists at the path.</summary>
    Missing,

    /// <summary>A regular file: the only kind the engine reads or replaces.</summary>
    Regular,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A symbolic link (only reported when links are not followed).</summary>
    SymbolicLink,

    /// <summary>A FIFO, character or block device, or socket: never opened, never replaced.</summary>
    Special,
}

/// <summary>
/// Reads a path's <see cref="FileKind"/>. .NET has no public API that tells a FIFO or a device from a regular
/// file (<see cref="FileAttributes"/> calls all three <c>Normal</c> on Unix), so on Unix this asks the runtime's
/// own native shim (<c>libSystem.Native</c>, which <see cref="File"/> itself uses for <c>lstat</c>) for the mode
/// bits. Its <c>FileStatus</c> layout is the runtime's platform-neutral one, the same on every Unix.
/// </summary>
public static partial class FileKinds
{
    // File-type bits of FileStatus.Mode as System.Native normalizes them (POSIX S_IFMT values).
    private const int TypeMask = 0xF000;
    private const int TypeRegular = 0x8000;
    private const int TypeDirectory = 0x4000;
    private const int TypeLink = 0xA000;

    /// <summary>The kind of <paramref name="path"/>; a link is followed to its target unless <paramref name="followLinks"/> is false.</summary>
    public static FileKind Of(string path, bool followLinks = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows())
        {
            return OfWindowsPath(path, followLinks);
        }

        var status = default(FileStatus);
        int rc = followLinks ? Stat(path, out status) : LStat(path, out status);
        if (rc != 0)
        {
            return FileKind.Missing;
        }

        return (status.Mode & TypeMask) switch
        {
            TypeRegular => FileKind.Regular,
            TypeDirectory => FileKind.Directory,
            TypeLink => FileKind.SymbolicLink,
            _ => FileKind.Special,
        };
    }

    /// <summary>Says what a kind is in words for messages ("a FIFO, device or socket").</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "a special file (FIFO, device or socket)",
    };

    private static FileKind OfWindowsPath(string path, bool followLinks)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !System.IO.Directory.Exists(path))
        {
            return FileKind.Missing;
        }

        var attributes = File.GetAttributes(path);
        if (!followLinks && attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            return FileKind.SymbolicLink;
        }

        return attributes.HasFlag(FileAttributes.Directory) ? FileKind.Directory
            : attributes.HasFlag(FileAttributes.Device) ? FileKind.Special
            : FileKind.Regular;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
        public uint Uid;
        public uint Gid;
        public long Size;
        public long ATime;
        public long ATimeNsec;
        public long MTime;
        public long MTimeNsec;
        public long CTime;
        public long CTimeNsec;
        public long BirthTime;
        public long BirthTimeNsec;
        public long Dev;
        public long RDev;
        public long Ino;
        public uint UserFlags;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out FileStatus status);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_LStat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LStat(string path, out FileStatus status);
}
