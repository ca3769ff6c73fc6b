using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;

namespace Quantize.Core.Calibration;

/// <summary>
/// Streaming calibration of a whole sample set in one call (see <see cref="StreamingCalibrator"/>): each batch
/// of samples is run once and its activations folded into running statistics and released before the next.
/// </summary>
public static class ActivationCalibrator
{
    /// <summary>
    /// Calibrates <paramref name="model"/> (loaded from <paramref name="modelPath"/>) on <paramref name="samples"/>.
    /// <paramref name="tensors"/> defaults to every float32 activation: the float graph inputs and the float
    /// outputs of the main graph's nodes (Constant nodes excluded: those are weights).
    /// </summary>
    public static CalibrationOutcome Calibrate(ModelProto model, string modelPath, IEnumerable<CalibrationSample> samples,
        CalibrationOptions options, IReadOnlyCollection<string>? tensors = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        using var calibrator = new StreamingCalibrator(model, modelPath, options, tensors);
        foreach (var sample in samples)
        {
            calibrator.Add(sample);
        }

        return calibrator.Complete();
    }

    /// <summary>Reads the samples of <paramref name="data"/> (see <see cref="CalibrationDataReader"/>) and calibrates on them.</summary>
    public static CalibrationOutcome Calibrate(ModelProto model, string modelPath, CalibrationDataOptions data, CalibrationOptions options,
        IReadOnlyCollection<string>? tensors = null) =>
        Calibrate(model, modelPath, new CalibrationDataReader(model, data).Read(), options, tensors);
}
