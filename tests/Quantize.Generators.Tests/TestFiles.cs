using Quantize.Testing;

namespace Quantize.Generators.Tests;

/// <summary>Manifests and baselines live in the source tree, so a baseline update lands in git.</summary>
internal static class TestFiles
{
    public static string Directory { get; } = Path.Combine(RepositoryPaths.Root, "tests", "Quantize.Generators.Tests");

    public static string Manifest(string name) => Path.Combine(Directory, "Manifests", name + ".quantize.json");

    public static string Baseline(string name) => Path.Combine(Directory, "Baselines", name + ".g.cs");
}
