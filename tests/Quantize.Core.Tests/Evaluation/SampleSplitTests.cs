using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using static Quantize.Core.Tests.Evaluation.EvaluationFixtures;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>The held-out split: deterministic, disjoint from what the calibrator reads, and together the whole set.</summary>
public sealed class SampleSplitTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("sample-split");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Every_fifth_sample_from_the_first_is_held_out_and_the_rest_calibrate()
    {
        var model = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var all = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "data", 12, [1, 64])] };
        var heldOut = all with { Split = new SampleSplit(5, SplitPart.HeldOut) };
        var calibration = all with { Split = new SampleSplit(5, SplitPart.Calibration) };

        var evaluated = Read(model, heldOut).Select(s => Path.GetFileName(s.Source)).ToList();
        var calibrated = Read(model, calibration).Select(s => Path.GetFileName(s.Source)).ToList();

        Assert.Equal(["00.npy", "05.npy", "10.npy"], evaluated);
        Assert.Empty(evaluated.Intersect(calibrated));
        Assert.Equal(Read(model, all).Select(s => Path.GetFileName(s.Source)).Order(), evaluated.Concat(calibrated).Order());
        Assert.Equal(evaluated, Read(model, heldOut).Select(s => Path.GetFileName(s.Source)));
        // The progress line's count, known before reading, agrees with what is read.
        Assert.Equal(3, CalibratedQuantizer.ExpectedSamples(heldOut));
        Assert.Equal(9, CalibratedQuantizer.ExpectedSamples(calibration));
    }

    [Fact]
    public void The_split_applies_after_the_sample_cap_and_changes_the_ranges_fingerprint()
    {
        var model = WriteModel(_folder, "mlp.onnx", TestModelCatalog.Mlp());
        var all = new CalibrationDataOptions { Sources = [WriteSamples(_folder, "data", 12, [1, 64])], MaxSamples = 7 };
        var heldOut = all with { Split = new SampleSplit(5, SplitPart.HeldOut) };

        Assert.Equal(["00.npy", "05.npy"], Read(model, heldOut).Select(s => Path.GetFileName(s.Source)));
        Assert.Equal(5, Read(model, all with { Split = new SampleSplit(5, SplitPart.Calibration) }).Count);
        var options = new CalibrationOptions();
        Assert.NotEqual(CalibrationFingerprint.Compute(model, all, options), CalibrationFingerprint.Compute(model, heldOut, options));
    }
}
