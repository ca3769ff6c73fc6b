using System.Globalization;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// Packs Quantize.Build and Quantize.Runtime once per test run, with a version no earlier run used, into a
/// private feed, and prepares a folder for consumer projects whose NuGet.config sees only that feed and
/// nuget.org. The global packages folder is shared between runs for third-party packages (ONNX Runtime is
/// large); the unique version guarantees the Quantize packages in it are this run's.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        Version = "0.1.0-it." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8];
        Root = Path.Combine(Path.GetTempPath(), "quantize-build-it", Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        var packages = Path.Combine(Path.GetTempPath(), "quantize-build-it", "packages");

        foreach (var project in new[] { "src/Quantize.Runtime/Quantize.Runtime.csproj", "src/Quantize.Build/Quantize.Build.csproj" })
        {
            var pack = DotnetProcess.Run(RepositoryRoot, "pack", Path.Combine(RepositoryRoot, project), "-c", "Release", "-o", Feed, $"-p:Version={Version}", "--disable-build-servers", "-nodeReuse:false");
            if (pack.ExitCode != 0)
            {
                throw new InvalidOperationException($"Packing {project} failed:\n{pack.Output}");
            }
        }

        File.WriteAllText(Path.Combine(Root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <packageSources>
                <clear />
                <add key="quantize-it" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        // Stop MSBuild's upward search for Directory.Build.* and Directory.Packages.props at the test folder.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />");
    }

    /// <summary>The repository (where Quantize.Build.sln is).</summary>
    public string RepositoryRoot { get; }

    /// <summary>The unique prerelease version this run packed.</summary>
    public string Version { get; }

    /// <summary>Folder holding the feed, NuGet.config and every consumer project of this run.</summary>
    public string Root { get; }

    /// <summary>The private feed.</summary>
    public string Feed { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Quantize.Build.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Quantize.Build.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class PackedBuildTests : ICollectionFixture<PackageFixture>
{
    public const string Name = "Packed Quantize.Build";
}
