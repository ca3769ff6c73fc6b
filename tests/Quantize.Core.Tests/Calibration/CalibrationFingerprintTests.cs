using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using static Quantize.Core.Tests.Calibration.CalibrationFixtures;

namespace Quantize.Core.Tests.Calibration;

public sealed class CalibrationFingerprintTests
{
    [Fact]
    public void The_fingerprint_changes_with_the_data_and_the_method_but_not_with_the_folder()
    {
        string Fingerprint(string folder, CalibrationOptions options)
        {
            var model = Path.Combine(folder, "m.onnx");
            return CalibrationFingerprint.Compute(model, new CalibrationDataOptions { Sources = ["data"], BaseDirectory = folder }, options);
        }

        var first = RealModels.ScratchFolder("fp1");
        var second = RealModels.ScratchFolder("fp2");
        foreach (var folder in new[] { first, second })
        {
            File.WriteAllBytes(Path.Combine(folder, "m.onnx"), [1, 2, 3]);
            WriteFile(Path.Combine(folder, "data", "a.npy"), Npy("<f4", [1, 4], FloatBytes(1, 2, 3, 4)));
        }

        var minMax = new CalibrationOptions();
        Assert.Equal(Fingerprint(first, minMax), Fingerprint(second, minMax));
        // Equalization changes the calibrated graph; None keeps the fingerprint ranges saved before it existed had.
        var data = new CalibrationDataOptions { Sources = ["data"], BaseDirectory = first };
        var model = Path.Combine(first, "m.onnx");
        Assert.Equal(Fingerprint(first, minMax), CalibrationFingerprint.Compute(model, data, minMax, EqualizationScope.None));
        Assert.NotEqual(Fingerprint(first, minMax), CalibrationFingerprint.Compute(model, data, minMax, EqualizationScope.Exact));
        Assert.NotEqual(CalibrationFingerprint.Compute(model, data, minMax, EqualizationScope.Exact), CalibrationFingerprint.Compute(model, data, minMax, EqualizationScope.ReplaceRelu6));
        Assert.NotEqual(Fingerprint(first, minMax), Fingerprint(first, new CalibrationOptions { Method = CalibrationMethod.Entropy }));

        WriteFile(Path.Combine(second, "data", "a.npy"), Npy("<f4", [1, 4], FloatBytes(1, 2, 3, 5)));
        Assert.NotEqual(Fingerprint(first, minMax), Fingerprint(second, minMax));
    }

    [Fact]
    public void Calibrating_from_data_options_reads_the_files_and_applies_the_cap()
    {
        var folder = RealModels.ScratchFolder("from-options");
        for (int i = 0; i < 3; i++)
        {
            WriteFile(Path.Combine(folder, $"s{i}.npy"), Npy("<f4", [1, 4], FloatBytes(i, -i, 2 * i, 0)));
        }

        var outcome = ActivationCalibrator.Calibrate(TestModelCatalog.Identity(1, 4), "id.onnx",
            new CalibrationDataOptions { Sources = ["."], BaseDirectory = folder, MaxSamples = 2 }, new CalibrationOptions());
        Assert.Equal(2, outcome.SampleCount);
        Assert.True(outcome.Ranges.TryGet("y", out var range));
        Assert.Equal(new TensorRange(-1, 2), range);
    }
}
