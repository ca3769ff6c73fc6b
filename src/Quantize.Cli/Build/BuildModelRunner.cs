using System.Diagnostics;
using System.Globalization;
using Quantize.Cli.Output;
using Quantize.Cli.Settings;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Diagnostics;
using Quantize.Core.Evaluation;
using Quantize.Core.Inspection;
using Quantize.Core.Onnx;
using Quantize.Core.Reporting;
using Quantize.Core.Safety;
using Quantize.Core.Settings;

namespace Quantize.Cli.Build;

/// <summary>Brings one <c>QuantizedModel</c> item up to date: cache lookup (local, then remote) or quantization, output copy, manifest.</summary>
internal sealed class BuildModelRunner(BuildRequest request, Remote.RemoteCache? remote, CliConsole console, CancellationToken cancellation)
{
    /// <summary>Processes <paramref name="model"/>; failures propagate as exceptions for the caller to report.</summary>
    public void Run(BuildModelRequest model)
    {
        InputFiles.RequireRegular(model.Source, "model file", ErrorCodes.ModelNotFound, model.Source);

        var settings = SettingValues.FromMetadata(model.Settings, model.Source);
        var options = SettingsReader.Options(settings);
        if (request.DesignTime)
        {
            WriteDesignTimeManifest(model, options, SettingsReader.IsStatic(settings, options.Precision));
            return;
        }

        var clock = Stopwatch.StartNew();
        // Temporary copies a killed worker left beside the outputs (FileUpdate's *.tmp).
        StaleStaging.SweepTemporaryFiles(Path.GetDirectoryName(Path.GetFullPath(model.OutputModel))!);
        var cache = new ModelCache(model.CacheDirectory);
        string? fingerprint = null;
        var calibration = SettingsReader.Calibration(settings, options, ProjectDirectory(model), (data, method) =>
        {
            // Ranges are keyed by what they depend on (model, data, preprocessing, method), not by the quantizer
            // settings, so re-quantizing with other settings but the same data reuses them instead of calibrating.
            fingerprint = OnModel(model, () => CalibrationFingerprint.Compute(model.Source, data, method, options.Static.CrossLayerEqualization));
            return cache.RangesPath(fingerprint);
        });
        var quality = SettingsReader.Quality(settings, ProjectDirectory(model), () => [.. ModelInspector.Inspect(model.Source).Outputs.Select(o => o.Name)]);
        var (key, sourceSha, sourceBytes) = CacheKey.Compute(model.Source, settings.Canonical(options.Precision, calibration is not null), fingerprint, CacheKey.QualityFacts(quality, model.Source));
        QuantizeResult? result = null;
        string? summary = null;
        var cacheWarnings = new List<Diagnostic>();
        // Under the key's local lock: one process per machine asks the server, and then maybe quantizes.
        var layered = Remote.LayeredCache.GetOrCreate(cache, remote, key, model.Source, cacheWarnings, console.Out,
            staged =>
            {
                var job = new QuantizeJob
                {
                    InputPath = model.Source,
                    OutputPath = staged,
                    OutputIsStaged = true,
                    Options = options,
                    Calibration = calibration is null ? null : new CalibrationSetup(calibration.Data, calibration.Options, calibration.RangesCachePath, fingerprint),
                    Quality = quality,
                };
                result = OnModel(model, () => WithReportPath(model, () => Quantizer.Run(job, progress: null, measured: report => QualityArtifacts.WriteToOutputs(model, report))));
                summary = QualitySummaryLine.Format($"{model.ClassName} ({model.ItemSpec})", result.Quality!);
                QualityArtifacts.SaveToCache(model, cache.EntryPath(key), summary);
                CachedWarnings.Save(cache.EntryPath(key), result.Warnings);
            },
            cancellation);
        var (lookup, fetched) = (layered.Local, layered.Fetched);
        var (entry, reused, outputSha) = (lookup.Path, lookup.Reused, lookup.Sha256);
        bool remoteHit = layered.RemoteHit;
        if (reused || remoteHit)
        {
            summary = QualityArtifacts.RestoreFromCache(model, entry);
        }

        // What the build line says about the remote cache: the hit, the upload, or why neither.
        string? remoteNote = remote is null ? null
            : remoteHit ? fetched!.Note
            : reused ? remote.PublishIfMissing(key, entry, model.Source, cacheWarnings.Add, cancellation)
            : $"{fetched?.Note ?? "remote miss"}, {remote.Publish(key, entry, layered.Production, model.Source, cacheWarnings.Add, cancellation)}";

        CalibrationDependencies.Write(model, calibration?.Data, quality.ValidationData);

        var inspection = ModelInspector.Inspect(entry);
        if (RuntimeRequirements.Check(inspection, request.OnnxRuntimeVersion) is { } tooOld)
        {
            throw new QuantizeException(ErrorCodes.OnnxRuntimeTooOld, model.Source, tooOld);
        }

        var dataFiles = ModelArtifact.DataFilesAt(entry, model.OutputModel);
        if (model.Embed && dataFiles.Count > 0)
        {
            throw new QuantizeException(ErrorCodes.ExternalDataNotEmbeddable, model.Source,
                $"The quantized model keeps its weights in an external-data file ({(options.ExternalData == ExternalDataMode.Always ? "ExternalData=\"Always\"" : "it is past 1 GiB and its source came with external data, or past the 2 GiB a model file can hold")}), and an embedded resource is one file. Set Embed=\"false\" on the item: the model and its data are then copied beside the app and the generated class loads them from there.");
        }

        long outputBytes = new FileInfo(entry).Length;
        // Data files first: the model names them, so it must not arrive without them.
        FileUpdate.CopyDataFiles(dataFiles);
        outputBytes += dataFiles.Sum(f => new FileInfo(f.To).Length);
        WriteDataList(model, [.. dataFiles.Select(f => f.To)]);
        bool copied = FileUpdate.CopyIfChanged(entry, model.OutputModel, outputSha);
        bool manifestChanged = ManifestWriter.Write(
            model,
            options.Precision.ToString(),
            new ManifestFacts(sourceSha, outputSha, sourceBytes, outputBytes),
            inspection.Inputs,
            inspection.Outputs,
            UsesOrtExtensions(inspection));
        FileUpdate.Touch(model.DoneMarker);

        // A reused entry replays the warnings of the run that made it: the same build gives the same warnings either way.
        foreach (var warning in cacheWarnings.Concat(result?.Warnings ?? CachedWarnings.Load(entry, model.Source)))
        {
            console.Out.WriteLine((warning with { FilePath = model.Source }).ToString());
        }

        var how = reused
            ? string.Create(CultureInfo.InvariantCulture, $"reused cache entry {key[..12]} (verified in {lookup.Verification.TotalMilliseconds:0} ms)")
            : remoteHit ? fetched!.Note
            : $"quantized (cache entry {key[..12]})";
        if (remoteNote is not null && !remoteHit)
        {
            how += ", " + remoteNote;
        }

        if (result?.Calibration is { } calibrated)
        {
            how += calibrated.Reused ? ", saved ranges reused" : string.Create(CultureInfo.InvariantCulture, $", calibrated on {calibrated.SampleCount} samples");
        }

        // One line per model at normal verbosity: the quality summary (precision, size, key metric, speedup) when
        // the check ran, then what the build did.
        var what = summary ?? string.Create(CultureInfo.InvariantCulture, $"{model.ClassName} ({model.ItemSpec}) {options.Precision}: {Sizes.Bytes(sourceBytes)} -> {Sizes.Bytes(outputBytes)}");
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Quantize.Build: {what}; {how}, {(copied ? "model updated" : "model unchanged")}, {(manifestChanged ? "manifest updated" : "manifest unchanged")}, {clock.Elapsed.TotalSeconds:0.0} s"));
    }

    /// <summary>
    /// IDE builds need the wrapper's shape, not the model: the float model's inputs and outputs, with the element type
    /// the precision's pass says it will give float ones (FP16/BF16 with KeepIoTypes=false, unless the model already is
    /// in that precision), so the design-time manifest equals the real build's.
    /// </summary>
    private void WriteDesignTimeManifest(BuildModelRequest model, QuantizeOptions options, bool calibrated)
    {
        var inspection = ModelInspector.Inspect(model.Source);
        var (sourceSha, sourceBytes) = CacheKey.HashFile(model.Source);
        var ioType = QuantizeEngine.InterfaceType(model.Source, options, calibrated) is { } type ? ElementTypes.Name((int)type) : null;
        IReadOnlyList<TensorSignature> Convert(IReadOnlyList<TensorSignature> tensors) =>
            ioType is null ? tensors : tensors.Select(t => t.ElementType == "float" ? t with { ElementType = ioType } : t).ToList();

        bool changed = ManifestWriter.Write(
            model,
            options.Precision.ToString(),
            new ManifestFacts(sourceSha, "", sourceBytes, 0),
            Convert(inspection.Inputs),
            Convert(inspection.Outputs),
            UsesOrtExtensions(inspection));
        console.Out.WriteLine($"Quantize.Build: {model.ClassName} ({model.ItemSpec}): design-time manifest {(changed ? "updated" : "unchanged")}");
    }

    /// <summary>
    /// Records the output's external-data files in <c>&lt;OutputModel&gt;.data.txt</c> (one path a line; empty without),
    /// which the targets read to copy them beside the app and to let <c>dotnet clean</c> remove them. Data files the
    /// previous list named and this one does not (an earlier cache key's) are deleted, so obj/ does not collect them.
    /// </summary>
    private static void WriteDataList(BuildModelRequest model, IReadOnlyList<string> dataFiles)
    {
        var list = DataListPath(model);
        if (File.Exists(list))
        {
            foreach (var stale in File.ReadAllLines(list).Where(l => l.Length > 0).Except(dataFiles, StringComparer.Ordinal))
            {
                File.Delete(stale);
            }
        }

        FileUpdate.WriteIfChanged(list, System.Text.Encoding.UTF8.GetBytes(string.Concat(dataFiles.Select(f => f + "\n"))));
    }

    /// <summary>The list of the output's external-data files (see <see cref="WriteDataList"/>).</summary>
    internal static string DataListPath(BuildModelRequest model) => model.OutputModel + ".data.txt";

    private static string ProjectDirectory(BuildModelRequest model) =>
        model.ProjectDirectory.Length > 0 ? model.ProjectDirectory : Path.GetDirectoryName(model.Source)!;

    /// <summary>
    /// Calibration errors name the data file or glob; in a build they belong on the item (the model file), where the
    /// IDE can take the user to the QuantizedModel that names that data. The data path stays in the message.
    /// </summary>
    private static T OnModel<T>(BuildModelRequest model, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (QuantizeException ex) when (ex.FilePath != model.Source)
        {
            var where = string.IsNullOrEmpty(ex.FilePath) ? "" : $" ({ex.FilePath})";
            throw new QuantizeException(ex.Code, model.Source, ex.Message + where, ex);
        }
    }

    /// <summary>A failed gate points at the report that shows which layers did it.</summary>
    private static T WithReportPath<T>(BuildModelRequest model, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (QuantizeException ex) when (ex.Code is ErrorCodes.QualityGateFailed or ErrorCodes.NoMixMeetsGates && File.Exists(model.ReportHtml))
        {
            throw new QuantizeException(ex.Code, ex.FilePath, $"{ex.Message} Report: {model.ReportHtml}", ex);
        }
    }

    private static bool UsesOrtExtensions(ModelInspection inspection) =>
        inspection.Opsets.Any(o => o.Domain == "ai.onnx.contrib") && inspection.Operators.Any(o => o.Domain == "ai.onnx.contrib");
}
