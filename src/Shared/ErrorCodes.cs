namespace Quantize.Shared;

/// <summary>
/// The stable diagnostic codes of Quantize.Build. A code never changes meaning once released; the
/// error table in docs/cli.md lists every one of them. Errors are QNT0xxx, warnings QNT1xxx,
/// QNT2xxx the source generator's, and QNT9999 marks an internal error (a defect to report). One shared source
/// file, compiled into the engine, the worker, the MSBuild tasks and the generator, so each raises a code by name.
/// </summary>
internal static class ErrorCodes
{
    /// <summary>The model file does not exist or cannot be opened.</summary>
    public const string ModelNotFound = "QNT0001";

    /// <summary>The file is not a readable ONNX model (truncated, corrupt, or another format).</summary>
    public const string InvalidModel = "QNT0002";

    /// <summary>The requested precision is not one of fp16, bf16, int8, int4.</summary>
    public const string UnknownPrecision = "QNT0003";

    /// <summary>
    /// A path the engine was led to is unsafe: an external-data location that leaves the model's folder (absolute,
    /// <c>..</c>, or through a symbolic link in any component), or a FIFO, device or socket where a file is read.
    /// </summary>
    public const string HostilePath = "QNT0004";

    /// <summary>An external-data file is missing or shorter than the tensor needs.</summary>
    public const string MissingExternalData = "QNT0005";

    /// <summary>An exclusion (node name or op type) matches nothing in the model.</summary>
    public const string UnmatchedExclusion = "QNT0006";

    /// <summary>ONNX Runtime could not load the input model (needed for type information).</summary>
    public const string RuntimeRejectedModel = "QNT0007";

    /// <summary>The output file could not be written.</summary>
    public const string OutputWriteFailed = "QNT0008";

    /// <summary>An option value is invalid (block size, accuracy level, conflicting flags...).</summary>
    public const string InvalidOption = "QNT0009";

    /// <summary>The model needs a newer opset for the requested form than it declares.</summary>
    public const string OpsetTooOld = "QNT0010";

    /// <summary>The quantized model failed to load in ONNX Runtime: an engine defect, reported rather than shipped.</summary>
    public const string OutputRejected = "QNT0011";

    /// <summary>
    /// The quantized model needs a newer ONNX Runtime (an opset or a contrib operator introduced in a later
    /// release) than the Microsoft.ML.OnnxRuntime version the consuming project resolves.
    /// </summary>
    public const string OnnxRuntimeTooOld = "QNT0012";

    /// <summary>A <c>QuantizedModel</c> item is malformed: a required metadata value is missing or two items produce the same class.</summary>
    public const string InvalidItem = "QNT0013";

    /// <summary>
    /// No calibration samples: a calibration path, folder or glob matches no file, or the files hold no
    /// sample. Quantize.Build never falls back to random data.
    /// </summary>
    public const string CalibrationDataEmpty = "QNT0014";

    /// <summary>A calibration sample lacks one of the model's inputs, or names a tensor that is no model input.</summary>
    public const string CalibrationInputMissing = "QNT0015";

    /// <summary>A calibration tensor's element type or shape does not fit the model input it feeds.</summary>
    public const string CalibrationInputMismatch = "QNT0016";

    /// <summary>A calibration file cannot be read: missing, truncated, corrupt, or a format or element type we do not read.</summary>
    public const string CalibrationFileUnreadable = "QNT0017";

    /// <summary>A quality gate (MinCosine, MinSqnr, MaxTop1Drop, MinSpeedup) failed: names the metric, threshold, measured value and worst layers.</summary>
    public const string QualityGateFailed = "QNT0018";

    /// <summary>AutoMixedPrecision found no mix within its cap that passes every gate; reports the best mix found and its numbers.</summary>
    public const string NoMixMeetsGates = "QNT0019";

    /// <summary>Evaluation cannot run: no validation data and no calibration data to hold out, or a gate that needs data it does not have.</summary>
    public const string EvaluationDataMissing = "QNT0020";

    /// <summary>
    /// The output path is refused before any work: empty, a folder, a FIFO/device/socket, or the input model or
    /// one of its external-data files (which writing would destroy).
    /// </summary>
    public const string OutputPathRefused = "QNT0021";

    /// <summary>
    /// A tensor in the model claims more than the file holds: dimensions whose product overflows or exceeds the
    /// format's limits, or stored data shorter or longer than its dimensions need. Names the tensor.
    /// </summary>
    public const string InconsistentTensor = "QNT0022";

    /// <summary>A calibration or validation image's header claims more pixels than the decoder limit allows (default 100 megapixels).</summary>
    public const string ImageTooLarge = "QNT0023";

    /// <summary>Calibration produced no finite range for any tensor (for example all-NaN or all-infinite data).</summary>
    public const string CalibrationNotFinite = "QNT0024";

    /// <summary>
    /// A native library the worker needs (ONNX Runtime, SkiaSharp) is in none of the NuGet package folders it was
    /// given: the packages folder lacks what restore should have put there. Names the library and the folders.
    /// </summary>
    public const string NativeLibraryMissing = "QNT0025";

    /// <summary>The build worker (the package's <c>tools/worker/Quantize.Cli.dll</c>, or <c>QuantizeWorkerPath</c>) does not exist: the package is incomplete.</summary>
    public const string WorkerMissing = "QNT0026";

    /// <summary>
    /// The collapse guard refused the result: with data to compare on and no accuracy gate set, an output's cosine to
    /// the float model fell below 0.90. Names the outputs, the worst layers and an Exclude that keeps them in float.
    /// </summary>
    public const string QuantizationCollapsed = "QNT0027";

    /// <summary>
    /// A build asked to embed a model that keeps its weights in an external-data file (ExternalData, or a model past
    /// the 2 GiB inline limit): a resource is one file, so the item needs <c>Embed="false"</c>.
    /// </summary>
    public const string ExternalDataNotEmbeddable = "QNT0028";

    /// <summary>
    /// An unexpected failure inside Quantize.Build (a defect, not bad input). Front doors print it as a
    /// canonical error line instead of a stack trace; please report it with the model.
    /// </summary>
    public const string InternalError = "QNT9999";

    /// <summary>Warning: the model is already in the requested precision; it is written unchanged.</summary>
    public const string AlreadyInPrecision = "QNT1001";

    /// <summary>Warning: nothing in the model was eligible for the requested precision.</summary>
    public const string NothingQuantized = "QNT1002";

    /// <summary>Warning: the chosen precision is expected to run slower than float on the CPU provider.</summary>
    public const string SlowerOnCpu = "QNT1003";

    /// <summary>Warning: fewer calibration samples than a representative set needs (ranges may not generalize).</summary>
    public const string FewCalibrationSamples = "QNT1004";

    /// <summary>Warning: the speed check measured the quantized model slower than its float original on this machine.</summary>
    public const string SlowerThanFloat = "QNT1005";

    /// <summary>
    /// Warning: a build-cache entry failed verification (a file's size or SHA-256 differs from what was recorded when
    /// it was made, or it is unreadable or incomplete); it was removed and the model quantized again.
    /// </summary>
    public const string CacheEntryCorrupt = "QNT1006";

    /// <summary>Warning: a saved calibration ranges file is damaged (content hash, non-finite or unordered ranges); it was ignored and the model calibrated again.</summary>
    public const string RangesCacheInvalid = "QNT1007";

    /// <summary>Warning: a weight holds NaN or infinite values; it was left in float (its scale would be meaningless).</summary>
    public const string NonFiniteWeight = "QNT1008";

    /// <summary>
    /// Warning: the remote cache (<c>QuantizeRemoteCache</c>) could not be used: unreachable, timed out, failing or
    /// refusing the credential. Given once per build; the build goes on with the local cache.
    /// </summary>
    public const string RemoteCacheUnavailable = "QNT1009";

    /// <summary>Warning: a remote cache entry was rejected (a file whose length or SHA-256 is not its digest's, or an entry this worker would not write); nothing of it is used and the model is quantized locally.</summary>
    public const string RemoteEntryRejected = "QNT1010";

    /// <summary>(generator) A manifest is not valid JSON or breaks the schema.</summary>
    public const string InvalidManifest = "QNT2001";

    /// <summary>(generator) The manifest's schemaVersion is not the one this generator reads: generator and worker come from different packages.</summary>
    public const string UnsupportedManifestSchema = "QNT2002";

    /// <summary>(generator) Two manifests generate the same namespace.className.</summary>
    public const string DuplicateClass = "QNT2003";

    /// <summary>(generator) Manifests exist but the compilation does not reference Quantize.Runtime.</summary>
    public const string RuntimeNotReferenced = "QNT2004";
}
