using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>Two projects pointing at one QuantizeCacheDirectory, built in parallel (-m): one quantization per unique model.</summary>
[Collection(PackedBuildTests.Name)]
public sealed class SharedCacheTests(PackageFixture fixture)
{
    [Fact]
    public void Two_projects_sharing_a_cache_quantize_each_model_once_and_both_run()
    {
        var cache = Path.Combine(fixture.Root, "shared-cache");
        var names = new[] { "AppOne", "AppTwo" };
        foreach (var name in names)
        {
            var project = new ConsumerProject(fixture, name);
            project.Properties = $"<QuantizeCacheDirectory>{cache}</QuantizeCacheDirectory>";
            // Same model bytes in both projects (same seed), different class names.
            project.AddModel("mlp.onnx", TestModelCatalog.Mlp());
            project.Items = $"""<QuantizedModel Include="models/mlp.onnx" Precision="Int8" ClassName="{name}Model" />""";
            project.WriteProject();
            project.WriteProgram($$"""
                using var model = new {{name}}.{{name}}Model();
                using var result = model.Run(new float[3 * 64], batch: 3);
                Console.WriteLine("{{name}} " + result.Y.Length);
                """);
        }

        var solution = Path.Combine(fixture.Root, "shared.proj");
        File.WriteAllText(solution, """
            <Project>
              <ItemGroup>
                <ProjectReference Include="AppOne/AppOne.csproj" />
                <ProjectReference Include="AppTwo/AppTwo.csproj" />
              </ItemGroup>
              <Target Name="Build"><MSBuild Projects="@(ProjectReference)" Targets="Build" BuildInParallel="true" /></Target>
              <Target Name="Restore"><MSBuild Projects="@(ProjectReference)" Targets="Restore" /></Target>
            </Project>
            """);
        var build = DotnetProcess.Run(fixture.Root, "msbuild", solution, "-restore", "-m:2", "-v:n", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Single(build.ModelLines, l => l.Contains("; quantized", StringComparison.Ordinal));
        Assert.Single(build.ModelLines, l => l.Contains("; reused cache entry", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(cache, "*.onnx", SearchOption.AllDirectories));

        foreach (var name in names)
        {
            var run = DotnetProcess.Run(fixture.Root, Path.Combine(fixture.Root, name, "bin", "Debug", "net10.0", name + ".dll"));
            Assert.True(run.ExitCode == 0, run.Output);
            Assert.Contains($"{name} 30", run.Output, StringComparison.Ordinal);
        }
    }
}
