using Quantize.Core;

namespace Quantize.Cli.Commands;

/// <summary>
/// One model to quantize, fully decided: what the command line (or, later, one line of a batch) asked for.
/// Kept separate from parsing so a batch command can build many of these and run them in one process.
/// </summary>
/// <param name="InputPath">The float model.</param>
/// <param name="OutputPath">Where the quantized model goes.</param>
/// <param name="Options">The engine options.</param>
/// <param name="CanonicalSettings">The settings as the cache key reads them (<see cref="Core.Settings.SettingValues.Canonical"/>).</param>
/// <param name="Verify">Load the result in ONNX Runtime before reporting success.</param>
/// <param name="Quiet">Print only warnings and errors.</param>
/// <param name="Notes">Remarks about the request itself (options that do not apply to the precision...).</param>
/// <param name="Calibration">Static INT8: the calibration data and method; null for every other run.</param>
/// <param name="Quality">The quality check (evaluation, speed, gates); null when nothing is measured.</param>
/// <param name="ReportDirectory">Where --report writes the HTML and Markdown report, or null.</param>
/// <param name="RemoteCache">The shared cache to ask first and upload to (--remote-cache), or null.</param>
internal sealed record QuantizeRequest(
    string InputPath,
    string OutputPath,
    QuantizeOptions Options,
    string CanonicalSettings,
    bool Verify,
    bool Quiet,
    IReadOnlyList<string> Notes,
    CalibrationRequest? Calibration = null,
    Core.Evaluation.QualityCheckOptions? Quality = null,
    string? ReportDirectory = null,
    Build.Remote.RemoteCacheSettings? RemoteCache = null);
