using Quantize.Core.Calibration.Data;

namespace Quantize.Core.Evaluation;

/// <summary>What the quality check after quantization measures and which gates the result must meet.</summary>
public sealed record QualityCheckOptions
{
    /// <summary>
    /// Samples to compare the float and quantized outputs on (the calibration formats). Null: a held-out fifth
    /// of the calibration samples (which the calibrator then does not see), or no accuracy check without any data.
    /// </summary>
    public CalibrationDataOptions? ValidationData { get; init; }

    /// <summary>Graph outputs that hold class scores (arg-max over the last axis is the prediction): top-1 agreement is measured on them.</summary>
    public IReadOnlyList<string> Top1Outputs { get; init; } = [];

    /// <summary>The gates the quantized model must meet; a failure is QNT0018 and no output is written.</summary>
    public QualityGates Gates { get; init; } = new();

    /// <summary>
    /// Compare outputs with the float model. Defaults to true; false measures only speed (and, for static INT8,
    /// lets the calibrator see every sample). Accuracy gates, <see cref="ValidationData"/> and
    /// <see cref="Top1Outputs"/> turn it on whatever this says.
    /// </summary>
    public bool Evaluate { get; init; } = true;

    /// <summary>Time the float and quantized models (default true); a slower quantized model is warned about (QNT1005).</summary>
    public bool SpeedCheck { get; init; } = true;

    /// <summary>Wall-clock budget of the speed check's timed runs (for a decoder, of prefill and of decode each).</summary>
    public TimeSpan SpeedBudget { get; init; } = Evaluation.SpeedCheck.DefaultBudget;

    /// <summary>Decoders (<see cref="DecoderSignature"/>): the prompt length the speed check prefills.</summary>
    public int PromptLength { get; init; } = DefaultPromptLength;

    /// <summary>Decoders: the context (cached tokens) at which the speed check times one decode step.</summary>
    public int DecodeContext { get; init; } = DefaultDecodeContext;

    /// <summary>The default <see cref="PromptLength"/>.</summary>
    public const int DefaultPromptLength = 64;

    /// <summary>The default <see cref="DecodeContext"/>.</summary>
    public const int DefaultDecodeContext = 256;

    /// <summary>
    /// When an accuracy gate fails, keep the most sensitive quantized nodes in float, one at a time, until every
    /// accuracy gate passes (at most <see cref="MaxFallbacks"/>); QNT0019 with the best mix found when none does.
    /// </summary>
    public bool AutoMixedPrecision { get; init; }

    /// <summary>
    /// Measure every quantized node's local error for the report's layer chart even when nothing failed (one probe
    /// run). Off when no report is written: a failed gate or guard still ranks the layers its message names.
    /// </summary>
    public bool LayerChart { get; init; } = true;

    /// <summary>Refuse a result with an output below <see cref="Evaluation.CollapseGuard.MinCosine"/> when the models were compared and no accuracy gate is set (QNT0027).</summary>
    public bool CollapseGuard { get; init; } = true;

    /// <summary>AutoMixedPrecision: the most nodes it may keep in float.</summary>
    public int MaxFallbacks { get; init; } = DefaultMaxFallbacks;

    /// <summary>The default of <see cref="MaxFallbacks"/>.</summary>
    public const int DefaultMaxFallbacks = 10;

    /// <summary>True when the accuracy comparison runs.</summary>
    public bool Evaluates => Evaluate || ValidationData is not null || Top1Outputs.Count > 0 || NeedsAccuracy;

    /// <summary>True when a gate needs the accuracy comparison.</summary>
    public bool NeedsAccuracy => Gates.MinCosine is not null || Gates.MinSqnr is not null || Gates.MaxTop1Drop is not null;
}
