namespace Quantize.Core.Calibration;

/// <summary>How activation ranges are derived from the calibration samples.</summary>
public enum CalibrationMethod
{
    /// <summary>The exact min and max over all samples (optionally a moving average of per-sample ranges).</summary>
    MinMax,

    /// <summary>A percentile of the values (default 99.999), clipping rare extremes.</summary>
    Percentile,

    /// <summary>The clipping threshold that minimizes the KL divergence between the float and quantized distributions.</summary>
    Entropy,
}
