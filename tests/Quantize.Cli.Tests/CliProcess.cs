using System.Diagnostics;

namespace Quantize.Cli.Tests;

/// <summary>What one run of the CLI did.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Starts the real CLI the way the build task will: <c>dotnet Quantize.Cli.dll args</c>, stdout and
/// stderr redirected (so progress is in its plain, line-per-phase form).
/// </summary>
public static class CliProcess
{
    /// <summary>Generous: only there so a hung child fails the test instead of the whole run.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static string CliDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Quantize.Cli.dll");
            var runtimeConfig = Path.Combine(AppContext.BaseDirectory, "Quantize.Cli.runtimeconfig.json");
            Assert.True(File.Exists(dll) && File.Exists(runtimeConfig), $"The CLI was not copied next to the tests ({dll}, {runtimeConfig}).");
            return dll;
        }
    }

    public static CliRun Run(params string[] args) => RunIn(null, args);

    public static CliRun RunIn(string? workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet quantize {string.Join(' ', args)} did not finish within {Timeout}.");
        }

        return new CliRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH), else dotnet on PATH.</summary>
    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
