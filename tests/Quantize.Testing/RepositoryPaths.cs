namespace Quantize.Testing;

/// <summary>
/// Finds the source tree from the test binaries. Walks up from the output folder rather than using
/// <c>[CallerFilePath]</c>, because CI builds map source paths to <c>/_/</c> (ContinuousIntegrationBuild).
/// </summary>
public static class RepositoryPaths
{
    /// <summary>The repository root (the folder holding Quantize.Build.sln).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
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
