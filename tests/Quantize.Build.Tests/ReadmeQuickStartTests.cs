using System.Text.RegularExpressions;
using Quantize.Testing;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// The README's "Use it in your project" works as written: its NuGet.config, package reference and item, and
/// Program.cs, pasted into a fresh `dotnet new console` app, build, quantize and print what the README says.
/// Only the feed path and the version are swapped for this run's packed ones.
/// </summary>
[Collection(PackedBuildTests.Name)]
public sealed partial class ReadmeQuickStartTests(PackageFixture fixture)
{
    [Fact]
    public void The_quick_start_builds_and_prints_what_the_readme_says()
    {
        var readme = File.ReadAllText(Path.Combine(fixture.RepositoryRoot, "README.md"));
        var start = readme.IndexOf("## Use it in your project", StringComparison.Ordinal);
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..end];
        var blocks = CodeBlock().Matches(section).Select(m => (Language: m.Groups[1].Value, Text: m.Groups[2].Value)).ToList();
        var nugetConfig = blocks.First(b => b.Language == "xml" && b.Text.Contains("<packageSources>", StringComparison.Ordinal)).Text;
        var items = blocks.First(b => b.Language == "xml" && b.Text.Contains("<QuantizedModel", StringComparison.Ordinal)).Text;
        var program = blocks.Single(b => b.Language == "csharp").Text;
        var printed = Printed().Match(section).Groups[1].Value;
        Assert.NotEqual("", printed);

        var app = Path.Combine(fixture.Root, "QuickStart", "MyApp");
        var created = DotnetProcess.Run(fixture.Root, "new", "console", "-n", "MyApp", "-o", app, "--no-restore");
        Assert.True(created.ExitCode == 0, created.Output);
        File.WriteAllText(Path.Combine(app, "NuGet.config"), FeedPath().Replace(nugetConfig, $"value=\"{fixture.Feed}\""));
        var csproj = Path.Combine(app, "MyApp.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>", items.Replace("Version=\"0.1.0\"", $"Version=\"{fixture.Version}\"", StringComparison.Ordinal) + "\n</Project>", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        Directory.CreateDirectory(Path.Combine(app, "models"));
        File.Copy(RealModels.MiniLmPath, Path.Combine(app, "models", "encoder.onnx"));

        var build = DotnetProcess.Run(app, "build", "--disable-build-servers", "-nodeReuse:false");
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("Quantize.Build: Encoder (models/encoder.onnx): Int8, 0.25x size", build.Output, StringComparison.Ordinal);
        var run = DotnetProcess.Run(app, "run", "--no-build");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains(printed, run.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"```(\w+)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"prints `([^`]+)`")]
    private static partial Regex Printed();

    [GeneratedRegex(@"value=""[^""]*artifacts/packages""")]
    private static partial Regex FeedPath();
}
