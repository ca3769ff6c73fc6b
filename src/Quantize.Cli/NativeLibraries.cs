using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace Quantize.Cli;

/// <summary>
/// Where the worker's native libraries come from when it runs from the Quantize.Build package, which carries none:
/// the build passes the project's NuGet package folders in <see cref="PackageFoldersVariable"/>, where restore put
/// ONNX Runtime and SkiaSharp because Quantize.Build depends on them. The exact version the worker was built with
/// is preferred; an app may however resolve a newer Microsoft.ML.OnnxRuntime than the worker's, and then only that
/// one is there, so the newest compatible version is taken (ONNX Runtime's C API stays backward compatible within a
/// major version; SkiaSharp needs the same milestone). This runs only after the normal lookup failed, so the
/// dotnet-quantize tool, which carries its platform's natives, never gets here. (The host's own
/// <c>--additionalprobingpath</c> is not used: it refuses to start when the exact version is absent.)
/// </summary>
internal static class NativeLibraries
{
    /// <summary>The environment variable holding the package folders, separated like PATH (set by the build task).</summary>
    public const string PackageFoldersVariable = "QUANTIZE_PACKAGE_FOLDERS";

    private sealed record NativePackage(string LibraryName, string[] PackageIds, string FolderRid, Version Built, Func<Version, bool> Compatible);

    /// <summary>
    /// Installs the fallback for the process; harmless when every library loads normally. Nothing is looked up at
    /// start-up: the table of packages (which loads SkiaSharp's assembly for its version) is built on the first miss.
    /// </summary>
    public static void AddPackageFolderFallback()
    {
        var packages = new Lazy<NativePackage[]>(Packages);
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
        {
            var package = packages.Value.FirstOrDefault(p => p.LibraryName == name);
            return package is not null && Find(package) is { } path && NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero;
        };
    }

    /// <summary>The native libraries the worker takes from packages, with the versions it was built against.</summary>
    private static NativePackage[] Packages()
    {
        var ort = AssemblyVersion(typeof(OrtEnv).Assembly);
        var skia = AssemblyVersion(typeof(SKImageInfo).Assembly);
        var rid = RuntimeInformation.RuntimeIdentifier;
        return
        [
            new NativePackage("onnxruntime", ["microsoft.ml.onnxruntime"], rid, ort, v => v.Major == ort.Major && v >= ort),
            new NativePackage("libSkiaSharp", OperatingSystem.IsWindows() ? ["skiasharp.nativeassets.win32"]
                : OperatingSystem.IsMacOS() ? ["skiasharp.nativeassets.macos"]
                : ["skiasharp.nativeassets.linux.nodependencies", "skiasharp.nativeassets.linux"],
                OperatingSystem.IsMacOS() ? "osx" : rid, skia, v => v.Major == skia.Major && v.Minor == skia.Minor),
        ];
    }

    /// <summary>The package folders the build passed, in order (none outside a build).</summary>
    public static IReadOnlyList<string> PackageFolders() =>
        (Environment.GetEnvironmentVariable(PackageFoldersVariable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Find(NativePackage package)
    {
        // onnxruntime -> libonnxruntime.so / libonnxruntime.dylib / onnxruntime.dll; libSkiaSharp keeps its prefix.
        var stem = OperatingSystem.IsWindows() || package.LibraryName.StartsWith("lib", StringComparison.Ordinal) ? package.LibraryName : "lib" + package.LibraryName;
        var file = stem + (OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so");
        return (from folder in PackageFolders()
                from id in package.PackageIds
                let versions = new DirectoryInfo(Path.Combine(folder, id))
                where versions.Exists
                from version in versions.EnumerateDirectories()
                let parsed = ParseVersion(version.Name)
                where parsed is not null && package.Compatible(parsed)
                let candidate = Path.Combine(version.FullName, "runtimes", package.FolderRid, "native", file)
                where File.Exists(candidate)
                orderby parsed == package.Built descending, parsed descending
                select candidate).FirstOrDefault();
    }

    private static Version AssemblyVersion(Assembly assembly) =>
        ParseVersion(assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "")
        ?? assembly.GetName().Version ?? new Version(0, 0);

    /// <summary>Reads "1.31.1", "1.31.1+abc" or "1.32.0-rc1" as 1.31.1, 1.31.1 and 1.32.0; null when it is no version.</summary>
    private static Version? ParseVersion(string text)
    {
        var end = text.IndexOfAny(['-', '+']);
        return Version.TryParse(end < 0 ? text : text[..end], out var version) ? version : null;
    }
}
