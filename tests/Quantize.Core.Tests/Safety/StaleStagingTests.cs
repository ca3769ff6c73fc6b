using System.Diagnostics;
using Quantize.Core.Safety;

namespace Quantize.Core.Tests.Safety;

/// <summary>Which leftovers a run may remove: those of dead processes on this machine at once, others only when old.</summary>
public sealed class StaleStagingTests : IDisposable
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly string _folder = RealModels.ScratchFolder("stale-staging");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_dead_local_owner_is_stale_at_once_a_live_one_never()
    {
        int dead = DeadProcessId();
        string host = Environment.MachineName;

        Assert.True(StaleStaging.IsStale($".quantize-check-{dead}@{host}-{Guid.NewGuid():N}", Now, Now));
        Assert.True(StaleStaging.IsStale($"quantize-preprocess-{dead}@{host}-{Guid.NewGuid():N}", Now, Now));
        Assert.False(StaleStaging.IsStale($".quantize-staging-{Environment.ProcessId}@{host}-{Guid.NewGuid():N}", Now.AddDays(-30), Now));
        Assert.False(StaleStaging.IsStale(StaleStaging.NewName(".quantize-check-"), Now.AddDays(-30), Now));
    }

    [Fact]
    public void Another_machines_or_an_unowned_leftover_is_stale_only_after_a_day()
    {
        var foreign = $".quantize-check-{DeadProcessId()}@some-other-build-agent-{Guid.NewGuid():N}";
        var unowned = $".quantize-check-{Guid.NewGuid():N}"; // the format before owners were recorded

        Assert.False(StaleStaging.IsStale(foreign, Now.AddHours(-23), Now));
        Assert.True(StaleStaging.IsStale(foreign, Now.AddHours(-25), Now));
        Assert.False(StaleStaging.IsStale(unowned, Now.AddHours(-23), Now));
        Assert.True(StaleStaging.IsStale(unowned, Now.AddHours(-25), Now));
        Assert.False(StaleStaging.IsStale("models", Now.AddYears(-1), Now));
        Assert.False(StaleStaging.IsStale(".quantize-report", Now.AddYears(-1), Now));
    }

    [Fact]
    public void Sweeps_remove_only_dead_owners_folders_and_temporary_files()
    {
        int dead = DeadProcessId();
        var deadFolder = Directory.CreateDirectory(Path.Combine(_folder, $".quantize-check-{dead}@{Environment.MachineName}-{Guid.NewGuid():N}")).FullName;
        File.WriteAllText(Path.Combine(deadFolder, "model.onnx"), "half a model");
        var liveFolder = Directory.CreateDirectory(Path.Combine(_folder, StaleStaging.NewName(".quantize-staging-"))).FullName;
        var deadFile = Path.Combine(_folder, $"{new string('a', 64)}.{dead}@{Environment.MachineName}-{Guid.NewGuid():N}.tmp");
        var deadData = deadFile + ".data";
        var liveFile = Path.Combine(_folder, $"entry.onnx.{StaleStaging.OwnerTag()}.tmp");
        var userFile = Path.Combine(_folder, "notes.tmp");
        foreach (var file in new[] { deadFile, deadData, liveFile, userFile })
        {
            File.WriteAllText(file, "x");
        }

        StaleStaging.Sweep(_folder);
        StaleStaging.SweepTemporaryFiles(_folder);

        Assert.False(Directory.Exists(deadFolder));
        Assert.True(Directory.Exists(liveFolder));
        Assert.False(File.Exists(deadFile));
        Assert.False(File.Exists(deadData));
        Assert.True(File.Exists(liveFile));
        Assert.True(File.Exists(userFile));
    }

    /// <summary>The id of a process that has just exited (and so names nobody alive, barring immediate reuse).</summary>
    private static int DeadProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
