using System.Globalization;

namespace Quantize.Testing.Packaging;

/// <summary>
/// Packs Quantize.Build and Quantize.Runtime, with a version no earlier run used, into a private feed, and
/// prepares a folder for consumer projects whose NuGet.config adds that feed to the machine's configured
/// sources (not cleared: CI and developer machines may use a mirror). The global
/// packages folder is shared between runs for third-party packages (ONNX Runtime is large); the unique
/// version guarantees the Quantize packages in it are this run's. Used by the integration tests and the
/// build benchmark, which must both measure what a user would get from the package.
/// </summary>
public class LocalPackageFeed : IDisposable
{
    /// <summary>Packs into a new folder under <c>%TEMP%/<paramref name="tempFolderName"/>/</c>.</summary>
    /// <param name="tempFolderName">The temp subfolder shared by runs of one kind (its <c>packages</c> folder is reused).</param>
    /// <param name="versionLabel">The prerelease label, e.g. <c>it</c> gives <c>0.1.0-it.20250101120000.1a2b3c4d</c>.</param>
    public LocalPackageFeed(string tempFolderName, string versionLabel)
    {
        RepositoryRoot = RepositoryPaths.Root;
        Version = $"0.1.0-{versionLabel}." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8];
        Root = Path.Combine(Path.GetTempPath(), tempFolderName, Guid.NewGuid().ToString("N")[..12]);
        Feed = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Feed);
        var packages = PackagesFolder = Path.Combine(Path.GetTempPath(), tempFolderName, "packages");
        PruneOldVersions(packages);

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
                <add key="quantize-local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);
        // Stop MSBuild's upward search for Directory.Build.* and Directory.Packages.props at this folder. The
        // props add one setting: dozens of consumer projects each get ONNX Runtime's natives for every platform
        // (about 250 MB), and hard links from the packages folder keep the run within a CI disk.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), """
            <Project>
              <PropertyGroup>
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />");
    }

    /// <summary>
    /// Every run restores its own version of our packages (hundreds of MB with the worker's native runtimes) into the
    /// shared packages folder: delete the versions earlier runs left, keeping recent ones a concurrent run may use.
    /// </summary>
    private static void PruneOldVersions(string packages)
    {
        foreach (var id in new[] { "quantize.build", "quantize.runtime" })
        {
            var folder = new DirectoryInfo(Path.Combine(packages, id));
            if (!folder.Exists)
            {
                continue;
            }

            foreach (var version in folder.EnumerateDirectories().Where(v => v.LastWriteTimeUtc < DateTime.UtcNow.AddMinutes(-30)))
            {
                try
                {
                    version.Delete(recursive: true);
                }
                catch (IOException)
                {
                    // Another run may be reading it; the next run tries again.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }

    /// <summary>The repository (where Quantize.Build.sln is).</summary>
    public string RepositoryRoot { get; }

    /// <summary>The unique prerelease version this run packed.</summary>
    public string Version { get; }

    /// <summary>Folder holding the feed, NuGet.config and every consumer project of this run.</summary>
    public string Root { get; }

    /// <summary>The private feed.</summary>
    public string Feed { get; }

    /// <summary>The global packages folder consumer projects restore into (shared between runs).</summary>
    public string PackagesFolder { get; }

    /// <summary>Deletes <see cref="Root"/> (best effort).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Deletes <see cref="Root"/> (best effort).</summary>
    /// <param name="disposing">Called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a failure.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
