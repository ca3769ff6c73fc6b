using System.Runtime.InteropServices;

namespace Quantize.Benchmarks;

/// <summary>
/// CPU time (user + system) used by this process's terminated, waited-for children and their descendants,
/// from <c>getrusage(RUSAGE_CHILDREN)</c>. Wall time of a build on a shared machine swings by hundreds of
/// milliseconds with other processes' load; the CPU time the build itself burned swings much less, so the
/// no-op build benchmark reports both. Linux only (null elsewhere).
/// </summary>
internal static class ChildCpuTime
{
    private const int RusageChildren = -1;

    /// <summary>Milliseconds of CPU used so far by reaped children, or null when not on Linux.</summary>
    public static double? Milliseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var usage = new Rusage();
        return GetRusage(RusageChildren, ref usage) == 0
            ? ((usage.UserSeconds + usage.SystemSeconds) * 1000.0) + ((usage.UserMicroseconds + usage.SystemMicroseconds) / 1000.0)
            : null;
    }

    // DllImport rather than LibraryImport: the struct is blittable, and LibraryImport would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "getrusage")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetRusage(int who, ref Rusage usage);

    // struct rusage on 64-bit Linux: two timevals (seconds, microseconds as longs), then 14 longs we don't read.
    [StructLayout(LayoutKind.Sequential, Size = 144)]
    private struct Rusage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
    }
}
