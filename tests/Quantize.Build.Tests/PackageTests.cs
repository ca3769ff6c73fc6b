using System.IO.Compression;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Quantize.Testing.TestModels;
using Xunit;
using Xunit.Abstractions;

namespace Quantize.Build.Tests;

/// <summary>
/// What a user downloads: the packed packages' sizes against the goals (docs/packages.md), a consumer restoring
/// into an empty packages folder and then building offline, the worker finding its natives in the packages
/// folder (or saying clearly that it cannot), and the dotnet-quantize tool installed from its platform package.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class PackageTests(PackageFixture fixture, ITestOutputHelper output)
{
    private const long MB = 1000 * 1000;

    [Fact]
    public void Quantize_Build_and_Quantize_Runtime_stay_within_their_size_goals_and_carry_no_natives()
    {
        var build = Package("Quantize.Build");
        var runtime = Package("Quantize.Runtime");
        output.WriteLine($"Quantize.Build {build.Length} bytes, Quantize.Runtime {runtime.Length} bytes");
        Assert.True(build.Length <= 20 * MB, $"Quantize.Build is {build.Length} bytes (goal 20 MB)");
        Assert.True(runtime.Length <= 1 * MB, $"Quantize.Runtime is {runtime.Length} bytes (goal 1 MB)");

        using var zip = ZipFile.OpenRead(build.FullName);
        Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("/runtimes/", StringComparison.Ordinal) || e.FullName.EndsWith(".so", StringComparison.Ordinal) || e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.Contains(zip.Entries, e => e.FullName == "tools/worker/Quantize.Cli.dll");
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
    }

    [Fact]
    public void A_consumer_restores_into_an_empty_packages_folder_then_builds_offline()
    {
        var packages = Path.Combine(fixture.Root, "EmptyFolder-packages");
        var project = new ConsumerProject(fixture, "EmptyFolder")
        {
            Properties = $"<QuantizeCacheDirectory>{Path.Combine(fixture.Root, "EmptyFolder-cache")}</QuantizeCacheDirectory>",
        };
        project.AddModel("mlp.onnx", TestModelCatalog.Mlp());
        project.Items = """<QuantizedModel Include="models/mlp.onnx" Precision="Int8" />""";
        project.WriteProject();
        project.WriteProgram("""
            using var model = new EmptyFolder.Mlp();
            using var result = model.Run(new float[64], batch: 1);
            Console.WriteLine("outputs " + result.Y.Length);
            """);

        // Restore brings everything the worker needs: nothing is in this packages folder before.
        var restore = DotnetProcess.Run(project.Directory, "restore", $"-p:RestorePackagesPath={packages}");
        Assert.True(restore.ExitCode == 0, restore.Output);
        var downloaded = Directory.EnumerateFiles(packages, "*.nupkg", SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
        output.WriteLine($"Downloaded into an empty packages folder: {downloaded.Sum(f => f.Length)} bytes in {downloaded.Count} packages");
        foreach (var file in downloaded.OrderByDescending(f => f.Length))
        {
            output.WriteLine($"  {file.Name}: {file.Length}");
        }

        // Offline: no source at all, only what that restore left.
        Directory.Delete(Path.Combine(project.Directory, "obj"), recursive: true);
        var offline = Path.Combine(fixture.Root, "EmptyFolder-no-source");
        Directory.CreateDirectory(offline);
        var offlineRestore = DotnetProcess.Run(project.Directory, "restore", $"-p:RestorePackagesPath={packages}", "--source", offline);
        Assert.True(offlineRestore.ExitCode == 0, offlineRestore.Output);
        var build = project.Build("--no-restore", $"-p:RestorePackagesPath={packages}");
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Single(build.ModelLines, l => l.Contains("quantized", StringComparison.Ordinal));
        var run = project.Run();
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("outputs 10", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_worker_takes_a_newer_onnx_runtime_from_the_packages_folder_and_names_the_folder_when_there_is_none()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The fake packages folder below links Linux natives; the CI machines are Linux.
        }

        var root = Path.Combine(fixture.Root, "WorkerNatives");
        var worker = Path.Combine(root, "worker");
        using (var zip = ZipFile.OpenRead(Package("Quantize.Build").FullName))
        {
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("tools/worker/", StringComparison.Ordinal)))
            {
                var target = Path.Combine(worker, entry.FullName["tools/worker/".Length..]);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                entry.ExtractToFile(target, overwrite: true);
            }
        }

        var model = Path.Combine(root, "mlp.onnx");
        File.WriteAllBytes(model, TestModelCatalog.Mlp().ToByteArray());

        // A packages folder whose only ONNX Runtime is a newer patch than the worker's (as when the app raised it),
        // and with SkiaSharp absent (quantizing without images never loads it).
        var rid = RuntimeInformation.RuntimeIdentifier;
        var newer = Path.Combine(root, "packages", "microsoft.ml.onnxruntime", "1.31.99", "runtimes", rid, "native");
        Directory.CreateDirectory(newer);
        File.CreateSymbolicLink(Path.Combine(newer, "libonnxruntime.so"), Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", "libonnxruntime.so"));
        var withNewer = RunWorker(worker, Path.Combine(root, "packages"), model, "-o", Path.Combine(root, "out.onnx"), "--precision", "int8", "--no-speed-check");
        Assert.True(withNewer.ExitCode == 0, withNewer.Output);
        Assert.True(File.Exists(Path.Combine(root, "out.onnx")));

        var empty = Path.Combine(root, "empty-packages");
        Directory.CreateDirectory(empty);
        var without = RunWorker(worker, empty, model, "-o", Path.Combine(root, "out2.onnx"), "--precision", "int8", "--no-speed-check");
        Assert.Equal(1, without.ExitCode);
        Assert.Contains("error QNT0025", without.Output, StringComparison.Ordinal);
        Assert.Contains(empty, without.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("QNT9999", without.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(root, "out2.onnx")));
    }

    [Fact]
    public void The_dotnet_quantize_tool_installs_from_its_platform_package_and_quantizes()
    {
        var root = Path.Combine(fixture.Root, "Tool");
        var feed = Path.Combine(root, "feed");
        var pack = DotnetProcess.Run(fixture.RepositoryRoot, "pack", Path.Combine(fixture.RepositoryRoot, "src/dotnet-quantize/dotnet-quantize.csproj"),
            "-c", "Release", "-o", feed, $"-p:Version={fixture.Version}", "--disable-build-servers", "-nodeReuse:false");
        Assert.True(pack.ExitCode == 0, pack.Output);

        var pointer = new FileInfo(Path.Combine(feed, $"dotnet-quantize.{fixture.Version}.nupkg"));
        Assert.True(pointer.Exists);
        foreach (var rid in new[] { "linux-x64", "linux-arm64", "osx-arm64", "win-x64", "win-arm64" })
        {
            var platform = new FileInfo(Path.Combine(feed, $"dotnet-quantize.{rid}.{fixture.Version}.nupkg"));
            output.WriteLine($"dotnet-quantize.{rid}: {platform.Length} bytes");
            Assert.True(platform.Length <= 40 * MB, $"{platform.Name} is {platform.Length} bytes (goal 40 MB)");
            using var zip = ZipFile.OpenRead(platform.FullName);
            // Only this platform's natives (SkiaSharp's macOS binary is universal, under runtimes/osx).
            Assert.All(zip.Entries.Where(e => e.FullName.Contains("/runtimes/", StringComparison.Ordinal)),
                e => Assert.Matches($"^tools/net8.0/{rid}/runtimes/({rid}|osx)/native/", e.FullName));
        }

        var tools = Path.Combine(root, "tools");
        var install = DotnetProcess.Run(root, "tool", "install", "dotnet-quantize", "--tool-path", tools, "--add-source", feed, "--version", fixture.Version);
        Assert.True(install.ExitCode == 0, install.Output);

        var model = Path.Combine(root, "mlp.onnx");
        File.WriteAllBytes(model, TestModelCatalog.Mlp().ToByteArray());
        var tool = Path.Combine(tools, OperatingSystem.IsWindows() ? "dotnet-quantize.exe" : "dotnet-quantize");
        var start = DotnetProcess.StartInfo(root, model, "-o", Path.Combine(root, "mlp.int8.onnx"), "--precision", "int8");
        start.FileName = tool;
        var run = DotnetProcess.Run(start);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(File.Exists(Path.Combine(root, "mlp.int8.onnx")));
    }

    private FileInfo Package(string id) => new(Path.Combine(fixture.Feed, $"{id}.{fixture.Version}.nupkg"));

    /// <summary>Runs the package's worker as the build task does: package folders in QUANTIZE_PACKAGE_FOLDERS.</summary>
    private static CommandResult RunWorker(string worker, string packageFolder, params string[] arguments)
    {
        var start = DotnetProcess.StartInfo(Path.GetDirectoryName(worker)!, [Path.Combine(worker, "Quantize.Cli.dll"), .. arguments]);
        start.Environment["QUANTIZE_PACKAGE_FOLDERS"] = packageFolder;
        return DotnetProcess.Run(start);
    }
}
