using Quantize.Cli.Output;
using Quantize.Core;

namespace Quantize.Cli.Commands;

/// <summary>Quantizes one model for the CLI: progress while the engine works, then the summary.</summary>
internal static class QuantizeRunner
{
    /// <summary>Runs <paramref name="request"/>; failures propagate as exceptions for <see cref="CommandGuard"/>.</summary>
    public static int Run(QuantizeRequest request, CliConsole console)
    {
        QuantizeResult result;
        using (var progress = PhaseProgress.Create(console, request.Quiet, Path.GetFileName(request.InputPath)))
        {
            result = request.Calibration is { } calibration
                ? CalibratedQuantizer.Quantize(request.InputPath, request.OutputPath, request.Options, calibration.Data, calibration.Options,
                    calibration.RangesCachePath, progress, request.Verify)
                : QuantizeEngine.Quantize(request.InputPath, request.OutputPath, request.Options, progress, request.Verify);
        }

        QuantizeSummary.Write(console.Out, request, result);
        return ExitCodes.Success;
    }
}
