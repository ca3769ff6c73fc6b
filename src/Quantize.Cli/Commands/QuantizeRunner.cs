using Quantize.Cli.Output;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Evaluation;
using Quantize.Core.Reporting;

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
            result = (request.Quality, request.Calibration) switch
            {
                ({ } quality, var calibration) => CheckedQuantizer.Quantize(request.InputPath, request.OutputPath, request.Options, quality,
                    calibration is null ? null : new CalibrationSetup(calibration.Data, calibration.Options, calibration.RangesCachePath),
                    progress, measured: report => Measured(report, request, console)),
                (null, { } calibration) => CalibratedQuantizer.Quantize(request.InputPath, request.OutputPath, request.Options, calibration.Data, calibration.Options,
                    calibration.RangesCachePath, progress, request.Verify),
                _ => QuantizeEngine.Quantize(request.InputPath, request.OutputPath, request.Options, progress, request.Verify),
            };
        }

        QuantizeSummary.Write(console.Out, request, result);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The quality check is done and its gates decided, before a failure is thrown: the report is written
    /// either way, and on failure the measurements are printed so the QNT0018 line that follows has context.
    /// </summary>
    private static void Measured(QualityReport report, QuantizeRequest request, CliConsole console)
    {
        if (request.ReportDirectory is { } directory)
        {
            WriteReport(report, directory, Path.GetFileNameWithoutExtension(request.InputPath), console);
        }

        if (report.Failures.Count > 0 && !request.Quiet)
        {
            console.Out.WriteLine($"Quality check of {request.InputPath} ({report.Precision}) failed:");
            QualitySummary.Write(console.Out, report);
        }
    }

    /// <summary>Writes the HTML and Markdown report into <paramref name="directory"/> and says where.</summary>
    private static void WriteReport(QualityReport report, string directory, string modelName, CliConsole console)
    {
        var (html, markdown) = QualityReportWriter.Write(report, directory, modelName);
        console.Out.WriteLine($"  Report: {html}");
        console.Out.WriteLine($"          {markdown}");
    }
}
