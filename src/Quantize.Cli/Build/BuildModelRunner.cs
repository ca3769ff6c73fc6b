using System.Diagnostics;
using System.Globalization;
using Quantize.Cli.Output;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Diagnostics;
using Quantize.Core.Inspection;

namespace Quantize.Cli.Build;

/// <summary>Brings one <c>QuantizedModel</c> item up to date: cache lookup or quantization, output copy, manifest.</summary>
internal sealed class BuildModelRunner(BuildRequest request, CliConsole console, CancellationToken cancellation)
{
    /// <summary>Processes <paramref name="model"/>; failures propagate as exceptions for the caller to report.</summary>
    public void Run(BuildModelRequest model)
    {
        if (!File.Exists(model.Source))
        {
            throw new QuantizeException(ErrorCodes.ModelNotFound, model.Source, $"The model file '{model.Source}' does not exist.");
        }

        var options = ModelSettings.Parse(model.Settings, model.Source);
        if (request.DesignTime)
        {
            WriteDesignTimeManifest(model, options);
            return;
        }

        var clock = Stopwatch.StartNew();
        var cache = new ModelCache(model.CacheDirectory);
        string? fingerprint = null;
        var calibration = CalibrationSettings.Parse(model.Settings, options, model.Source, ProjectDirectory(model), (data, method) =>
        {
            // Ranges are keyed by what they depend on (model, data, preprocessing, method), not by the quantizer
            // settings, so re-quantizing with other settings but the same data reuses them instead of calibrating.
            fingerprint = OnModel(model, () => CalibrationFingerprint.Compute(model.Source, data, method));
            return cache.RangesPath(fingerprint);
        });
        var (key, sourceSha, sourceBytes) = CacheKey.Compute(model.Source, options, fingerprint);
        QuantizeResult? result = null;
        var (entry, reused) = cache.GetOrCreate(
            key,
            temporary => result = calibration is null
                ? QuantizeEngine.Quantize(model.Source, temporary, options, progress: null, verifyOutput: true)
                : OnModel(model, () => CalibratedQuantizer.Quantize(model.Source, temporary, options, calibration.Data, calibration.Options,
                    calibration.RangesCachePath, progress: null, verifyOutput: true, fingerprint)),
            cancellation);
        CalibrationDependencies.Write(model, calibration);

        var inspection = ModelInspector.Inspect(entry);
        if (RuntimeRequirements.Check(inspection, request.OnnxRuntimeVersion) is { } tooOld)
        {
            throw new QuantizeException(ErrorCodes.OnnxRuntimeTooOld, model.Source, tooOld);
        }

        var (outputSha, outputBytes) = CacheKey.HashFile(entry);
        bool copied = FileUpdate.CopyIfChanged(entry, model.OutputModel, outputSha);
        bool manifestChanged = ManifestWriter.Write(
            model,
            options.Precision.ToString(),
            new ManifestFacts(sourceSha, outputSha, sourceBytes, outputBytes),
            inspection.Inputs,
            inspection.Outputs,
            UsesOrtExtensions(inspection));
        FileUpdate.Touch(model.DoneMarker);

        foreach (var warning in result?.Warnings ?? [])
        {
            console.Out.WriteLine((warning with { FilePath = model.Source }).ToString());
        }

        var how = reused ? $"reused cache entry {key[..12]}" : $"quantized (cache entry {key[..12]})";
        if (result?.Calibration is { } report)
        {
            how += report.Reused ? ", saved ranges reused" : string.Create(CultureInfo.InvariantCulture, $", calibrated on {report.SampleCount} samples");
        }

        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Quantize.Build: {model.ClassName} ({model.ItemSpec}) {options.Precision}: {how}, {Sizes.Bytes(sourceBytes)} -> {Sizes.Bytes(outputBytes)}, " +
            $"{(copied ? "model updated" : "model unchanged")}, {(manifestChanged ? "manifest updated" : "manifest unchanged")}, {clock.Elapsed.TotalSeconds:0.0} s"));
    }

    /// <summary>
    /// IDE builds need the wrapper's shape, not the model: read the float model's inputs and outputs and apply
    /// the only I/O change a precision makes (FP16/BF16 with KeepIoTypes=false turn float I/O into half types).
    /// </summary>
    private void WriteDesignTimeManifest(BuildModelRequest model, QuantizeOptions options)
    {
        var inspection = ModelInspector.Inspect(model.Source);
        var (sourceSha, sourceBytes) = CacheKey.HashFile(model.Source);
        var ioType = (options.Precision, options.KeepIoTypes) switch
        {
            (Precision.Fp16, false) => "float16",
            (Precision.Bf16, false) => "bfloat16",
            _ => null,
        };
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

    private static bool UsesOrtExtensions(ModelInspection inspection) =>
        inspection.Opsets.Any(o => o.Domain == "ai.onnx.contrib") && inspection.Operators.Any(o => o.Domain == "ai.onnx.contrib");
}
