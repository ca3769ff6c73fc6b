using System.Diagnostics;
using Quantize.Cli.Build;
using Quantize.Cli.Build.Remote;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Diagnostics;
using Quantize.Core.Reporting;
using Quantize.Core.Safety;

namespace Quantize.Cli.Commands;

/// <summary>
/// <c>dotnet quantize … --remote-cache URL</c>: the build's remote-cache path for one model. The key is the build's
/// (model bytes, canonical settings, calibration and quality-check fingerprints, engine version); the entry is staged
/// in a temporary cache folder so that its files, digests and verification are exactly the build worker's, then
/// copied to the output. A hit writes the output, the saved report (with <c>--report</c>) and the warnings of the run
/// that made it, without quantizing.
/// </summary>
internal static class RemoteQuantizeRun
{
    /// <summary>Runs <paramref name="request"/>; <paramref name="quantize"/> quantizes into the path it is given.</summary>
    public static int Run(QuantizeRequest request, RemoteCacheSettings settings, CliConsole console, Func<string, QuantizeResult> quantize)
    {
        OutputTarget.Check(request.InputPath, request.OutputPath);
        var fingerprint = request.Calibration is { } calibration ? CalibrationFingerprint.Compute(request.InputPath, calibration.Data, calibration.Options, request.Options.Static.CrossLayerEqualization) : null;
        var quality = request.Quality is { } check ? CacheKey.QualityFacts(check, request.InputPath) : null;
        var (key, _, _) = CacheKey.Compute(request.InputPath, request.CanonicalSettings, fingerprint, quality);
        var folder = Directory.CreateTempSubdirectory("quantize-remote-").FullName;
        try
        {
            using var remote = new RemoteCache(settings);
            var cache = new ModelCache(folder);
            var warnings = new List<Diagnostic>();
            QuantizeResult? result = null;
            var layered = LayeredCache.GetOrCreate(cache, remote, key, request.InputPath, warnings, console.Out,
                temporary =>
                {
                    result = quantize(temporary);
                    CachedWarnings.Save(cache.EntryPath(key), result.Warnings);
                    if (ReportPaths(request) is (string html, string markdown) && File.Exists(html))
                    {
                        QualityArtifacts.SaveReport(cache.EntryPath(key), html, markdown);
                    }
                },
                CancellationToken.None);
            var (lookup, fetched) = (layered.Local, layered.Fetched);
            FileUpdate.CopyDataFiles(Core.Onnx.ModelArtifact.DataFilesAt(lookup.Path, request.OutputPath));
            FileUpdate.CopyIfChanged(lookup.Path, request.OutputPath, lookup.Sha256);

            foreach (var warning in warnings)
            {
                console.Out.WriteLine(warning.ToString());
            }

            if (result is null)
            {
                if (ReportPaths(request) is (string html, string markdown))
                {
                    QualityArtifacts.RestoreReport(lookup.Path, html, markdown);
                }

                if (!request.Quiet)
                {
                    console.Out.WriteLine($"Wrote {request.OutputPath} ({request.Options.Precision.ToString().ToLowerInvariant()}, {Output.Sizes.Bytes(new FileInfo(request.OutputPath).Length)}): {fetched!.Note}");
                }

                foreach (var warning in CachedWarnings.Load(lookup.Path, request.InputPath))
                {
                    console.Out.WriteLine(warning.ToString());
                }

                return ExitCodes.Success;
            }

            Output.QuantizeSummary.Write(console.Out, request, result);
            var uploaded = remote.Publish(key, lookup.Path, layered.Production, request.InputPath, w => console.Out.WriteLine(w.ToString()), CancellationToken.None);
            if (!request.Quiet)
            {
                console.Out.WriteLine($"  Remote cache: {fetched?.Note ?? "remote miss"}, {uploaded}");
            }

            return ExitCodes.Success;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Where <c>--report</c> writes this model's report (QualityReportWriter's names), or null without it.</summary>
    private static (string Html, string Markdown)? ReportPaths(QuantizeRequest request) =>
        request.ReportDirectory is { } directory
            ? QualityReportWriter.PathsFor(Path.Combine(directory, Path.GetFileNameWithoutExtension(request.InputPath)))
            : null;
}
