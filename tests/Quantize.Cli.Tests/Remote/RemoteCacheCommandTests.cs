using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests.Remote;

/// <summary><c>dotnet quantize --remote-cache</c> against a real nginx WebDAV server.</summary>
public sealed class RemoteCacheCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("quantize-remote-cli-").FullName;

    [Fact]
    public void The_second_run_is_a_remote_hit_with_the_same_bytes_report_and_warnings()
    {
        using var server = WebDavServer.Start();
        var model = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var first = Path.Combine(_folder, "first", "mlp.int8.onnx");
        var second = Path.Combine(_folder, "second", "mlp.int8.onnx");

        var made = CliProcess.Run(model, "-o", first, "-p", "int8", "--report", Path.Combine(_folder, "first"), "--remote-cache", server.Url);
        Assert.True(made.ExitCode == 0, made.ToString());
        Assert.Contains("Remote cache: remote miss, uploaded (", made.Stdout, StringComparison.Ordinal);
        int putsAfterFirst = server.Requests().Count(r => r.Method == "PUT");
        Assert.True(putsAfterFirst >= 3, "claim, blobs and action entry");

        var hit = CliProcess.Run(model, "-o", second, "-p", "int8", "--report", Path.Combine(_folder, "second"), "--remote-cache", server.Url, "--remote-cache-mode", "ReadOnly");
        Assert.True(hit.ExitCode == 0, hit.ToString());
        Assert.Contains(": remote hit ", hit.Stdout, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
        Assert.Equal(
            File.ReadAllText(Path.Combine(_folder, "first", "mlp.quantize-report.md")),
            File.ReadAllText(Path.Combine(_folder, "second", "mlp.quantize-report.md")));
        Assert.Equal(Warnings(made.Stdout), Warnings(hit.Stdout));
        Assert.Equal(putsAfterFirst, server.Requests().Count(r => r.Method == "PUT"));
    }

    [Fact]
    public void Other_settings_are_another_entry_and_a_bad_mode_is_refused_before_any_work()
    {
        using var server = WebDavServer.Start();
        var model = ModelFiles.Write(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var int8 = CliProcess.Run(model, "-o", Path.Combine(_folder, "a.onnx"), "-p", "int8", "--remote-cache", server.Url);
        var fp16 = CliProcess.Run(model, "-o", Path.Combine(_folder, "b.onnx"), "-p", "fp16", "--remote-cache", server.Url);
        Assert.True(int8.ExitCode == 0 && fp16.ExitCode == 0, int8 + "\n" + fp16);
        Assert.Contains("remote miss", fp16.Stdout, StringComparison.Ordinal);

        var bad = CliProcess.Run(model, "-o", Path.Combine(_folder, "c.onnx"), "-p", "int8", "--remote-cache", server.Url, "--remote-cache-mode", "Sometimes");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("QNT0009", bad.Stderr + bad.Stdout, StringComparison.Ordinal);
        Assert.Contains("--remote-cache-mode", bad.Stderr + bad.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "c.onnx")));
    }

    [Fact]
    public void A_run_that_asks_for_a_report_never_reuses_an_entry_made_without_one()
    {
        using var server = WebDavServer.Start();
        // Calibrated static INT8 compares with float either way (the collapse guard), so only --report differs.
        var (model, _) = SensitivityFixtures.FragileMlp("remote-cli-report", samples: 20, boost: 1f);
        var folder = Path.GetDirectoryName(model)!;
        var data = Path.Combine(folder, "data");

        var plain = CliProcess.Run(model, "-o", Path.Combine(folder, "plain.onnx"), "-p", "int8", "--calibration-data", data, "--no-speed-check", "--remote-cache", server.Url);
        var reported = CliProcess.Run(model, "-o", Path.Combine(folder, "reported.onnx"), "-p", "int8", "--calibration-data", data, "--no-speed-check",
            "--report", Path.Combine(folder, "report"), "--remote-cache", server.Url);

        Assert.True(plain.ExitCode == 0 && reported.ExitCode == 0, plain + "\n" + reported);
        Assert.Contains("Remote cache: remote miss, uploaded (", reported.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "report", "fragile.quantize-report.html")), reported.ToString());
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<string> Warnings(string stdout) => [.. stdout.Split('\n').Where(l => l.Contains(": warning QNT", StringComparison.Ordinal)).Select(l => l.Trim())];
}
