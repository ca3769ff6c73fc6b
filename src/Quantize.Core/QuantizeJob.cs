using Quantize.Core.Calibration;
using Quantize.Core.Evaluation;

namespace Quantize.Core;

/// <summary>
/// One model to quantize, fully decided: what the command line or a build item asked for, as <see cref="Quantizer.Run"/>
/// takes it. The CLI and the build worker both turn their settings into one of these (through the one settings parser)
/// and run it the same way.
/// </summary>
public sealed record QuantizeJob
{
    /// <summary>The float model.</summary>
    public required string InputPath { get; init; }

    /// <summary>Where the quantized model (and its external data, if any) goes; nothing is written there on failure.</summary>
    public required string OutputPath { get; init; }

    /// <summary>How to quantize.</summary>
    public required QuantizeOptions Options { get; init; }

    /// <summary>Static INT8's calibration data and method; null for every other run.</summary>
    public CalibrationSetup? Calibration { get; init; }

    /// <summary>What to measure against the float model and the gates to meet; null measures nothing.</summary>
    public QualityCheckOptions? Quality { get; init; }

    /// <summary>
    /// Load the result in ONNX Runtime before it replaces the output (QNT0011 otherwise). A quality check always loads
    /// it, so this only matters without one.
    /// </summary>
    public bool Verify { get; init; } = true;

    /// <summary>
    /// True when <see cref="OutputPath"/> already lies in a private staging folder that the caller commits (the build
    /// cache stages its entry under its key and publishes it with its digest): the run writes there directly instead of
    /// staging a second time. Otherwise the run stages beside the output and moves the result into place itself.
    /// </summary>
    public bool OutputIsStaged { get; init; }
}
