using Quantize.Testing;

namespace Quantize.Cli.Tests;

/// <summary>
/// The collapse guard from the command line: static INT8 with calibration data compares with float on held-out
/// samples by default, so a collapsed result is QNT0027 with nothing written, and <c>--no-collapse-guard</c> accepts it.
/// </summary>
public sealed class CollapseGuardCommandTests
{
    [Fact]
    public void Calibrated_static_int8_that_collapses_is_refused_by_default_and_accepted_with_the_switch()
    {
        var (model, _) = SensitivityFixtures.FragileMlp("cli-collapse", samples: 20, boost: 1e6f);
        var folder = Path.GetDirectoryName(model)!;
        var data = Path.Combine(folder, "data");
        var refusedPath = Path.Combine(folder, "refused.onnx");

        var refused = CliProcess.Run(model, "-o", refusedPath, "-p", "int8", "--calibration-data", data, "--no-speed-check");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"{model}(1,1): error QNT0027:", refused.Stderr + refused.Stdout, StringComparison.Ordinal);
        Assert.Contains("held-out", refused.Stderr + refused.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(refusedPath));

        var accepted = CliProcess.Run(model, "-o", Path.Combine(folder, "accepted.onnx"), "-p", "int8", "--calibration-data", data, "--no-speed-check", "--no-collapse-guard");
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.True(File.Exists(Path.Combine(folder, "accepted.onnx")));
    }

    [Fact]
    public void A_healthy_calibrated_model_passes_with_one_summary_line_about_the_guard()
    {
        var (model, _) = SensitivityFixtures.FragileMlp("cli-healthy", samples: 20, boost: 1f);
        var folder = Path.GetDirectoryName(model)!;

        var run = CliProcess.Run(model, "-o", Path.Combine(folder, "ok.onnx"), "-p", "int8", "--calibration-data", Path.Combine(folder, "data"), "--no-speed-check");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Single(run.Stdout.Split('\n'), l => l.Contains("Collapse guard: every output's cosine to float is at least 0.90", StringComparison.Ordinal));
    }

    /// <summary>
    /// A real unseen mobile export: MLSD tiny (tf2onnx, depthwise MobileNetV2, NHWC RGBA) fed what its own first
    /// ops expect (pixels 0–255, alpha 1), calibrated on 9 of the photos and judged on the other 9. Its line scores
    /// pass through a non-maximum suppression (Equal against a MaxPool), which quantization breaks (scores cosine
    /// ≈ 0.43 today, docs/passes.md): the default run must refuse it rather than ship it.
    /// </summary>
    [Fact]
    public void Mlsd_tiny_whose_line_scores_collapse_is_refused_with_the_output_named_and_nothing_written()
    {
        var folder = RealModels.ScratchFolder("cli-mlsd");
        var photos = RealPhotos.All;
        var calibration = Directory.CreateDirectory(Path.Combine(folder, "calibration")).FullName;
        var validation = Directory.CreateDirectory(Path.Combine(folder, "validation")).FullName;
        for (int i = 0; i < photos.Count; i++)
        {
            File.Copy(photos[i], Path.Combine(i % 2 == 0 ? calibration : validation, Path.GetFileName(photos[i])));
        }

        var output = Path.Combine(folder, "mlsd.int8.onnx");
        var run = CliProcess.Run(NpmModels.MlsdTiny, "-o", output, "-p", "int8", "--calibration-data", calibration, "--validation-data", validation,
            "--scale", "1", "--mean", "0,0,0,254", "--std", "1", "--no-speed-check");

        var text = run.Stdout + run.Stderr;
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error QNT0027:", text, StringComparison.Ordinal);
        Assert.Contains("output 'scores'", text, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
