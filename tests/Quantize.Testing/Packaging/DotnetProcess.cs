using System.Diagnostics;
using System.Text;

namespace Quantize.Testing.Packaging;

/// <summary>The outcome of one <c>dotnet</c> command.</summary>
public sealed record CommandResult(int ExitCode, string Output)
{
    /// <summary>Lines the Quantize.Build task prints when it starts the worker.</summary>
    public int WorkerRuns => Lines.Count(l => l.Contains("Quantize.Build: quantizing ", StringComparison.Ordinal));

    /// <summary>Per-model lines the worker prints, e.g. "Quantize.Build: Mlp (models/mlp.onnx) Int8: quantized ...".</summary>
    public IReadOnlyList<string> ModelLines => Lines.Where(l => l.Contains("Quantize.Build: ", StringComparison.Ordinal) && l.Contains(" (models/", StringComparison.Ordinal)).ToList();

    private IEnumerable<string> Lines => Output.Split('\n').Select(l => l.Trim()).Where(l => !l.Contains("/additionalfile:", StringComparison.Ordinal));
}

/// <summary>Runs the real dotnet CLI as a child process, isolated from the test host's MSBuild environment.</summary>
public static class DotnetProcess
{
    // Set by the test host or an outer build; inherited, they would point the child MSBuild at the wrong SDK bits.
    private static readonly string[] InheritedMsBuildVariables =
        ["MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "VSTEST_HOST_DEBUG"];

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/>.</summary>
    public static CommandResult Run(string directory, params string[] arguments) => Run(StartInfo(directory, arguments));

    /// <summary>Runs a process prepared with <see cref="StartInfo"/> (and then changed: another program, more environment), with the same output capture and time limit.</summary>
    public static CommandResult Run(ProcessStartInfo start) => Finish(start, new StringBuilder());

    /// <summary>How <see cref="Run(string, string[])"/> starts <c>dotnet</c>: the test host's SDK, no build servers, no inherited MSBuild state (for tests that drive the process themselves).</summary>
    public static ProcessStartInfo StartInfo(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in InheritedMsBuildVariables)
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        start.Environment["UseSharedCompilation"] = "false";
        return start;
    }

    private static CommandResult Finish(ProcessStartInfo start, StringBuilder output)
    {
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', start.ArgumentList)} did not finish in 10 minutes:\n{output}");
        }

        process.WaitForExit();
        return new CommandResult(process.ExitCode, output.ToString());
    }
}
