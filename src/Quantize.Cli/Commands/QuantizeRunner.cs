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
        if (request.RemoteCache is { } remote)
        {
            return RemoteQuantizeRun.Run(request, remote, console, output => Quantize(request, output, console));
        }

        QuantizeSummary.Write(console.Out, request, Quantize(request, request.OutputPath, console));
        return ExitCodes.Success;
    }

    /// <summary>Quantizes <paramref name="request"/>'s model into <paramref name="outputPath"/>, with progress on the console.</summary>
    private static QuantizeResult Quantize(QuantizeRequest request, string outputPath, CliConsole console)
    {
        using var progress = PhaseProgress.Create(console, request.Quiet, Path.GetFileName(request.InputPath));
        var job = new QuantizeJob
        {
            InputPath = request.InputPath,
            OutputPath = outputPath,
            Options = request.Options,
            Calibration = request.Calibration is { } calibration ? new CalibrationSetup(calibration.Data, calibration.Options, calibration.RangesCachePath) : null,
            Quality = request.Quality,
            Verify = request.Verify,
        };
        return Quantizer.Run(job, progress, measured: report => Measured(report, request, console));
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
