using System.Runtime.CompilerServices;

namespace Quantize.Generators.Tests;

/// <summary>Manifests and baselines live in the source tree, found from this file's compile-time path.</summary>
internal static class TestFiles
{
    public static string Directory { get; } = Path.GetDirectoryName(ThisFile())!;

    public static string Manifest(string name) => Path.Combine(Directory, "Manifests", name + ".quantize.json");

    public static string Baseline(string name) => Path.Combine(Directory, "Baselines", name + ".g.cs");

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
