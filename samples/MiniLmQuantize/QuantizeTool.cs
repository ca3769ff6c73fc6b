using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MiniLmQuantize;

/// <summary>
/// Runs the real CLI, <c>dotnet Quantize.Cli.dll</c>, as a child process sharing this console, so its
/// progress and summary appear exactly as a user of <c>dotnet quantize</c> would see them.
/// </summary>
internal static class QuantizeTool
{
    /// <summary>Runs the CLI with <paramref name="args"/> and returns its exit code.</summary>
    public static int Run(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Quantize.Cli.dll");
        if (!File.Exists(cli))
        {
            throw new FileNotFoundException("Quantize.Cli.dll was not copied next to the sample; build the sample project.", cli);
        }

        var start = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false };
        start.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>The dotnet host: the one the SDK names, else the one this runtime was started from.</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        // The runtime lives in <dotnet root>/shared/Microsoft.NETCore.App/<version>/.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}
