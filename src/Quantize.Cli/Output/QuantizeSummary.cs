using System.Globalization;
using Quantize.Cli.Commands;
using Quantize.Core;
using Quantize.Core.Onnx;

namespace Quantize.Cli.Output;

/// <summary>
/// What a quantization did, for people and logs: nodes per op type, sizes, time, notes, then warnings as
/// canonical <c>path(1,1): warning QNTxxxx: message</c> lines (printed even with --quiet, since the build
/// task turns them into MSBuild warnings).
/// </summary>
internal static class QuantizeSummary
{
    /// <summary>Writes the summary of <paramref name="result"/>.</summary>
    public static void Write(TextWriter writer, QuantizeRequest request, QuantizeResult result)
    {
        if (!request.Quiet)
        {
            WriteDetails(writer, request, result);
        }

        foreach (var warning in result.Warnings)
        {
            writer.WriteLine(warning.ToString());
        }
    }

    private static void WriteDetails(TextWriter writer, QuantizeRequest request, QuantizeResult result)
    {
        var precision = request.Options.Precision.ToString().ToLowerInvariant();
        writer.WriteLine($"Quantized {request.InputPath} -> {request.OutputPath} ({precision}{(result.Calibration is null ? "" : " static, QDQ")})");
        // A model with external data is two files: whoever copies or ships it must take both.
        if (ModelArtifact.DataFiles(request.OutputPath) is { Count: > 0 } dataFiles)
        {
            writer.WriteLine($"  Weights in: {string.Join(", ", dataFiles.Select(Path.GetFileName))}, beside the model (keep them together)");
        }

        if (result.Unchanged)
        {
            writer.WriteLine("  The model was written unchanged.");
        }
        else if (result.QuantizedByOpType.Count > 0)
        {
            // Nodes only: converted weights are not nodes and get their own line.
            var nodes = result.QuantizedByOpType.Where(kv => kv.Key != QuantizeResult.Initializers).ToList();
            if (nodes.Count > 0)
            {
                writer.WriteLine(Invariant($"  Nodes quantized: {nodes.Sum(kv => kv.Value)}"));
                Table.Write(writer, nodes.Select(kv => new[] { "  " + kv.Key, kv.Value.ToString(CultureInfo.InvariantCulture) }), rightAligned: [1]);
            }

            if (result.QuantizedByOpType.TryGetValue(QuantizeResult.Initializers, out var weights))
            {
                writer.WriteLine(Invariant($"  Initializers converted: {weights}"));
            }
        }

        foreach (var (opType, reason) in result.Skipped)
        {
            writer.WriteLine($"  Left in float: {opType}: {reason}");
        }

        double ratio = result.BytesBefore > 0 ? (double)result.BytesAfter / result.BytesBefore : double.NaN;
        writer.WriteLine(Invariant($"  Size: {Sizes.Bytes(result.BytesBefore)} -> {Sizes.Bytes(result.BytesAfter)} ({result.BytesBefore} -> {result.BytesAfter} bytes, ratio {ratio:0.000})"));
        writer.WriteLine($"  Time: {Sizes.Duration(result.Elapsed)}{(request.Verify || result.Quality is not null ? "" : " (not verified in ONNX Runtime: --no-verify)")}, peak memory {Sizes.Bytes(PeakMemoryBytes())}");

        if (result.Calibration is { } calibration)
        {
            writer.WriteLine(calibration.Reused
                ? Invariant($"  Calibration: {calibration.Method}, {calibration.SampleCount} samples, reused ranges from {calibration.RangesPath} ({Sizes.Duration(calibration.Elapsed)})")
                : Invariant($"  Calibration: {calibration.Method}, {calibration.SampleCount} samples, {Sizes.Duration(calibration.Elapsed)}{(calibration.RangesPath is null ? "" : $", ranges saved to {calibration.RangesPath}")}"));
        }

        foreach (var note in request.Notes.Concat(result.Notes))
        {
            writer.WriteLine($"  Note: {note}");
        }

        if (CpuSpeedAdvice.For(request.Options, result) is { } advice)
        {
            writer.WriteLine($"  {advice}");
        }

        if (result.Quality is { } quality)
        {
            QualitySummary.Write(writer, quality);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The process's high-water mark of resident memory (VmHWM on Linux), so users see what a model costs.</summary>
    private static long PeakMemoryBytes()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
