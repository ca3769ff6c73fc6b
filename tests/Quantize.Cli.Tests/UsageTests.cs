namespace Quantize.Cli.Tests;

/// <summary>Command-line mistakes are usage errors (exit 2, System.CommandLine's message), never QNT diagnostics or stack traces.</summary>
public sealed class UsageTests
{
    [Fact]
    public void No_arguments_prints_the_quantize_help_as_a_usage_error()
    {
        var run = CliProcess.Run();

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--precision", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--calibration-data", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command was not provided", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--blocksize", "--block-size")]
    [InlineData("--calibration-dat", "--calibration-data")]
    [InlineData("--per-chanel", "--per-channel")]
    public void A_mistyped_option_suggests_the_closest_one(string typed, string meant)
    {
        var run = CliProcess.Run("model.onnx", "-o", "out.onnx", "--precision", "int4", typed, "32");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"Did you mean '{meant}' for '{typed}'?", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_is_a_usage_error()
    {
        var run = CliProcess.Run("model.onnx", "-o", "out.onnx", "--precision", "int8", "--turbo");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'--turbo'", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("QNT", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--precision")]
    public void Missing_required_option_is_a_usage_error(string missing)
    {
        string[] args = missing == "--output" ? ["model.onnx", "--precision", "int8"] : ["model.onnx", "-o", "out.onnx"];

        var run = CliProcess.Run(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"'{missing}' is required", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_numeric_block_size_is_QNT0009_naming_the_option_as_typed()
    {
        var run = CliProcess.Run("model.onnx", "-o", "out.onnx", "--precision", "int4", "--block-size", "big");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error QNT0009: --block-size 'big' is not an integer.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_every_setting_of_the_table_with_its_aliases()
    {
        var run = CliProcess.Run("quantize", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.All(
            Quantize.Core.Settings.QuantizeSettings.All.SelectMany(s => s.Aliases.Select(a => a.Cli).Prepend(s.Cli)),
            spelling => Assert.Contains($"  {spelling} ", run.Stdout.Replace(",", " ", StringComparison.Ordinal), StringComparison.Ordinal));
    }

    [Fact]
    public void A_mistyped_command_gets_a_suggestion()
    {
        var run = CliProcess.Run("inspekt", "model.onnx");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Did you mean 'dotnet quantize inspect'?", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_lists_every_quantize_option()
    {
        var run = CliProcess.Run("quantize", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--output", "--precision", "--exclude", "--convert-io", "--min-elements", "--per-channel", "--block-size", "--asymmetric", "--accuracy-level", "--int4-format", "--no-verify", "--quiet" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Root_help_lists_the_commands_and_the_default_commands_options_under_the_name_people_type()
    {
        var run = CliProcess.Run("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("quantize <input>", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("inspect <input>", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--precision", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--calibration-data", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("  dotnet quantize [command] [options]", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Quantize.Cli", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_help_usage_lines_say_dotnet_quantize()
    {
        var run = CliProcess.Run("inspect", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("  dotnet quantize inspect <input> [options]", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Quantize.Cli", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_prints_the_version()
    {
        var run = CliProcess.Run("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Stdout);
    }
}
