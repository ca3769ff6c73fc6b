using System.Globalization;

namespace Quantize.Core.Calibration;

/// <summary>Settings of the streaming calibrator.</summary>
public sealed record CalibrationOptions
{
    /// <summary>The method.</summary>
    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>MinMax only: average per-sample ranges (ORT's <c>moving_average</c>) instead of taking the extremes.</summary>
    public bool MovingAverage { get; init; }

    /// <summary>MinMax moving average: weight of each new sample (ORT's <c>averaging_constant</c>, 0.01).</summary>
    public double AveragingConstant { get; init; } = 0.01;

    /// <summary>Percentile: the percentile kept (0 &lt; p ≤ 100), 99.999 by default.</summary>
    public double Percentile { get; init; } = 99.999;

    /// <summary>
    /// Percentile: true (default) takes the percentile of |x| as one threshold t for both sides, as ORT does,
    /// and cuts [−t, t] to the observed min/max; false takes the lower and upper percentiles separately.
    /// </summary>
    public bool SymmetricPercentile { get; init; } = true;

    /// <summary>Fine histogram bins; null: 16384 for Percentile (tail resolution), 2048 for Entropy (TensorRT's size).</summary>
    public int? HistogramBins { get; init; }

    /// <summary>Entropy: quantized levels the candidate windows are squeezed into (128: the levels of one int8 sign).</summary>
    public int QuantizedLevels { get; init; } = 128;

    /// <summary>
    /// Samples per ONNX Runtime call (8 by default): samples of equal shapes are concatenated along axis 0 when
    /// every model input's first dimension is symbolic; otherwise (or for MinMax moving average) one at a time.
    /// The ranges are the same for any batch size; only speed and peak memory (one batch's activations) change.
    /// </summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Fewer samples than this produce the QNT1004 warning.</summary>
    public int MinimumSamples { get; init; } = 16;

    /// <summary>Bins actually used.</summary>
    public int Bins => HistogramBins ?? (Method == CalibrationMethod.Percentile ? 16384 : 2048);

    /// <summary>A short stable description (stored in <see cref="ActivationRanges.Method"/> and the saved JSON).</summary>
    public string Description => Method switch
    {
        CalibrationMethod.MinMax when MovingAverage => string.Create(CultureInfo.InvariantCulture, $"MinMax moving-average {AveragingConstant}"),
        CalibrationMethod.MinMax => "MinMax",
        CalibrationMethod.Percentile => string.Create(CultureInfo.InvariantCulture, $"Percentile {Percentile} {(SymmetricPercentile ? "symmetric" : "per-side")} bins={Bins}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"Entropy bins={Bins} levels={QuantizedLevels}"),
    };
}
