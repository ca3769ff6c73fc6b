using System.Diagnostics;

namespace Quantize.Cli.Build;

/// <summary>
/// Ends the worker when the MSBuild process that started it is gone. Killing a build (Ctrl+C reaches the whole
/// process group, but a CI runner's kill of the top process does not) would otherwise leave the worker quantizing
/// for minutes with nobody waiting for it. Whatever it was staging is removed by the next run (<see cref="Core.Safety.StaleStaging"/>).
/// </summary>
internal static class ParentWatch
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Starts watching <paramref name="parentPid"/> on a background thread.</summary>
    public static void Start(int parentPid, CliConsole console)
    {
        var startTime = StartTimeOf(parentPid);
        if (startTime is null)
        {
            Exit(parentPid, console);
        }

        var thread = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(Interval);
                // Same PID and same start time: the same process (a PID can be reused once its owner exits).
                if (StartTimeOf(parentPid) != startTime)
                {
                    Exit(parentPid, console);
                }
            }
        })
        { IsBackground = true, Name = "Quantize.Build parent watch" };
        thread.Start();
    }

    private static DateTime? StartTimeOf(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static void Exit(int parentPid, CliConsole console)
    {
        console.Error.WriteLine($"Quantize.Build worker: the build process {parentPid} that started it has exited; stopping.");
        Environment.Exit(ExitCodes.Failed);
    }
}
