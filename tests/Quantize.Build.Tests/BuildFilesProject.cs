using System.Text.Json;
using Quantize.Testing;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// A project in a scratch folder that imports the repository's build/ files directly (no package), isolated from the
/// repository's own props, with the task assembly beside the tests and a worker of the test's choice
/// (QuantizeBuildTasksAssembly and QuantizeWorkerPath, the override points).
/// </summary>
internal sealed class BuildFilesProject : IDisposable
{
    public BuildFilesProject() => Directory.CreateDirectory(Folder);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "quantize-buildfiles-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The task assembly built beside the tests (by path: loading its type here would need MSBuild's assemblies).</summary>
    public static string TasksAssembly => Existing(Path.Combine(AppContext.BaseDirectory, "Quantize.Build.Tasks.dll"));

    /// <summary>The stand-in worker that records each request (tests/Quantize.Build.FakeWorker).</summary>
    public static string FakeWorker => Existing(Path.Combine(AppContext.BaseDirectory, "Quantize.Build.FakeWorker.dll"));

    /// <summary>Writes <paramref name="relativePath"/> under the folder (its directories too).</summary>
    public string WriteFile(string relativePath, byte[] content)
    {
        var path = Path.Combine(Folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Writes the project file with <paramref name="items"/> and extra <paramref name="properties"/>.</summary>
    public void WriteProject(string items, string properties = "")
    {
        var build = Path.Combine(RepositoryPaths.Root, "build");
        File.WriteAllText(Path.Combine(Folder, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(Folder, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(Folder, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(Folder, "BuildFiles.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <Import Project="{build}/Quantize.Build.props" />
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><RootNamespace>App</RootNamespace>{properties}</PropertyGroup>
              <ItemGroup>
                {items}
              </ItemGroup>
              <Import Project="{build}/Quantize.Build.targets" />
            </Project>
            """);
    }

    /// <summary>The properties that point the build files at the test's task assembly and the fake worker.</summary>
    public static string WithFakeWorker =>
        $"<QuantizeBuildTasksAssembly>{TasksAssembly}</QuantizeBuildTasksAssembly><QuantizeWorkerPath>{FakeWorker}</QuantizeWorkerPath>";

    /// <summary>Runs <c>dotnet msbuild</c> (no node reuse, so each run sees the environment given) in the folder.</summary>
    public CommandResult MsBuild(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = DotnetProcess.StartInfo(Folder, ["msbuild", "-nodeReuse:false", "--disable-build-servers", .. arguments]);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return DotnetProcess.Run(start);
    }

    /// <summary>The items of type <paramref name="item"/> after running <paramref name="arguments"/> (with a <c>-getItem</c> for it), with their metadata.</summary>
    public List<Dictionary<string, string>> Items(string item, params string[] arguments)
    {
        var run = MsBuild(null, [.. arguments, $"-getItem:{item}"]);
        Assert.True(run.ExitCode == 0, run.Output);
        using var json = JsonDocument.Parse(run.Output[run.Output.IndexOf('{', StringComparison.Ordinal)..]);
        return [.. json.RootElement.GetProperty("Items").GetProperty(item).EnumerateArray()
            .Select(e => e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal))];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Existing(string path)
    {
        Assert.True(File.Exists(path), path);
        return path;
    }
}
