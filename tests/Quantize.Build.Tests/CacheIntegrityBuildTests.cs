using System.Diagnostics;
using Quantize.Testing;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// Real consumer builds against a cache folder that goes bad: an entry altered on disk, truncated, emptied, or
/// swapped for another valid model is detected (warning QNT1006 on the item), removed and quantized again, and the
/// app embeds exactly what a fresh quantization produces; and a build killed while it quantizes leaves nothing
/// behind that the next build does not clean up.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed class CacheIntegrityBuildTests(PackageFixture fixture)
{
    [Fact]
    public void A_damaged_cache_entry_is_never_embedded_it_is_evicted_and_made_again()
    {
        var (project, cache) = WithOwnCache("CacheCheck");
        project.AddModel("mlp.onnx", TestModelCatalog.Mlp());
        project.Items = """<QuantizedModel Include="models/mlp.onnx" Precision="Int8" ClassName="Mlp" />""";
        project.WriteProject();
        project.WriteProgram("""
            using var model = new CacheCheck.Mlp();
            using var result = model.Run(new float[64], batch: 1);
            Console.WriteLine("outputs " + result.Y.Length);
            """);

        var first = project.Build();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("; quantized (cache entry", Assert.Single(first.ModelLines), StringComparison.Ordinal);
        var embedded = project.Obj("quantize/CacheCheck.Mlp.onnx");
        var fresh = File.ReadAllBytes(embedded);
        var entry = Directory.GetFiles(cache, "*.onnx", SearchOption.AllDirectories).Single();

        // One damage end to end (Cli.Tests' ModelCacheTests covers every kind at the cache): a flipped byte in the entry.
        var bytes = File.ReadAllBytes(entry);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(entry, bytes);
        Assert.True(DotnetProcess.Run(project.Directory, "clean", "--disable-build-servers", "-nodeReuse:false").ExitCode == 0);

        var rebuilt = project.Build();

        Assert.True(rebuilt.ExitCode == 0, rebuilt.Output);
        Assert.Contains("warning QNT1006", rebuilt.Output, StringComparison.Ordinal);
        Assert.Contains("; quantized (cache entry", Assert.Single(rebuilt.ModelLines), StringComparison.Ordinal);
        Assert.Equal(fresh, File.ReadAllBytes(embedded));
        Assert.Equal(fresh, File.ReadAllBytes(entry));
        var run = project.Run();
        Assert.True(run.ExitCode == 0 && run.Output.Contains("outputs 10", StringComparison.Ordinal), run.Output);

        // A sound entry is reused without a word.
        Assert.True(DotnetProcess.Run(project.Directory, "clean", "--disable-build-servers", "-nodeReuse:false").ExitCode == 0);
        var reused = project.Build();
        Assert.True(reused.ExitCode == 0, reused.Output);
        Assert.DoesNotContain("QNT1006", reused.Output, StringComparison.Ordinal);
        Assert.Contains("; reused cache entry", Assert.Single(reused.ModelLines), StringComparison.Ordinal);
    }

    [Fact]
    public void At_default_verbosity_each_build_says_what_it_did_per_model_a_cache_hit_replays_the_warnings_and_a_no_op_says_nothing()
    {
        var (project, cache) = WithOwnCache("Warned");
        project.AddModel("attention.onnx", TestModelCatalog.AttentionBlock());
        // FP16 always warns QNT1003 (slower than FP32 on the CPU provider).
        project.Items = """<QuantizedModel Include="models/attention.onnx" Precision="Fp16" ClassName="Attention" />""";
        project.WriteProject();
        project.WriteProgram("Console.WriteLine(Warned.Attention.Model.Precision);");

        // No -v: what a user sees by default.
        CommandResult Build() => DotnetProcess.Run(project.Directory, "build", "--disable-build-servers", "-nodeReuse:false");
        var first = Build();
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("; quantized (cache entry", Assert.Single(first.ModelLines), StringComparison.Ordinal);
        Assert.Contains("attention.onnx(1,1): warning QNT1003", first.Output, StringComparison.Ordinal);

        var noOp = Build();
        Assert.True(noOp.ExitCode == 0, noOp.Output);
        Assert.DoesNotContain("Quantize.Build:", noOp.Output, StringComparison.Ordinal);

        Assert.True(DotnetProcess.Run(project.Directory, "clean", "--disable-build-servers", "-nodeReuse:false").ExitCode == 0);
        var hit = Build();

        Assert.True(hit.ExitCode == 0, hit.Output);
        Assert.Contains("; reused cache entry", Assert.Single(hit.ModelLines), StringComparison.Ordinal);
        Assert.Contains("attention.onnx(1,1): warning QNT1003", hit.Output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(cache));
    }

    [Fact]
    public void A_build_killed_while_quantizing_stops_its_worker_and_the_rebuild_leaves_a_valid_entry_and_no_leftovers()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The worker is found through /proc; the CI machines are Linux.
        }

        var (project, cache) = WithOwnCache("Killed");
        // MiniLM with its quality check takes seconds: long enough to be killed in the middle.
        var model = project.AddModelFile("minilm.onnx", RealModels.MiniLmPath);
        project.Items = """<QuantizedModel Include="models/minilm.onnx" Precision="Int8" ClassName="MiniLm" />""";
        project.WriteProject();
        project.WriteProgram("Console.WriteLine(new Killed.MiniLm() is not null);");
        Assert.True(DotnetProcess.Run(project.Directory, "restore").ExitCode == 0);

        // Only the top process is killed, as a CI runner's timeout does: the worker must notice and stop by itself.
        var start = DotnetProcess.StartInfo(project.Directory, "build", "--no-restore", "-v:n", "--disable-build-servers", "-nodeReuse:false");
        using (var build = Process.Start(start)!)
        {
            build.ErrorDataReceived += (_, _) => { };
            build.BeginErrorReadLine();
            string? line;
            while ((line = build.StandardOutput.ReadLine()) is not null && !line.Contains("Quantize.Build: quantizing", StringComparison.Ordinal))
            {
            }

            Assert.NotNull(line);
            Thread.Sleep(1500);
            build.Kill(entireProcessTree: false);
            build.WaitForExit();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (WorkerProcesses(project.Directory).Count > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
        }

        Assert.Empty(WorkerProcesses(project.Directory));

        var rebuilt = project.Build("--no-restore");
        Assert.True(rebuilt.ExitCode == 0, rebuilt.Output);
        Assert.DoesNotContain("QNT1006", rebuilt.Output, StringComparison.Ordinal);
        var entries = Directory.GetFiles(cache, "*.onnx", SearchOption.AllDirectories);
        Assert.Single(entries);
        var leftovers = Directory.GetFileSystemEntries(cache, "*", SearchOption.AllDirectories)
            .Concat(Directory.GetFileSystemEntries(project.Obj("quantize"), "*", SearchOption.AllDirectories))
            .Where(IsLeftover)
            .ToList();
        Assert.True(leftovers.Count == 0, "Left behind:\n" + string.Join("\n", leftovers));
        Assert.Equal(File.ReadAllBytes(entries[0]), File.ReadAllBytes(project.Obj("quantize/Killed.MiniLm.onnx")));
        Assert.True(File.Exists(model));
    }

    /// <summary>What an interrupted run leaves: staging folders (and files in them) and temporary files.</summary>
    private static bool IsLeftover(string path) =>
        path.Contains("/.quantize-check-", StringComparison.Ordinal) || path.Contains("/.quantize-staging-", StringComparison.Ordinal)
        || path.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>A consumer project whose QuantizeCacheDirectory is a folder of its own, <c>&lt;name&gt;-cache</c>.</summary>
    private (ConsumerProject Project, string Cache) WithOwnCache(string name)
    {
        var cache = Path.Combine(fixture.Root, name + "-cache");
        return (new ConsumerProject(fixture, name) { Properties = $"<QuantizeCacheDirectory>{cache}</QuantizeCacheDirectory>" }, cache);
    }

    /// <summary>Build workers (Quantize.Cli.dll processes) whose command line or working folder is this project's.</summary>
    private static List<int> WorkerProcesses(string projectDirectory)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget ?? "";
                if (commandLine.Contains("Quantize.Cli.dll", StringComparison.Ordinal) && cwd.StartsWith(projectDirectory, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }

        return found;
    }
}
