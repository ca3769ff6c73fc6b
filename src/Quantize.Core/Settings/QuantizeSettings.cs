using System.Globalization;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Evaluation;

namespace Quantize.Core.Settings;

/// <summary>
/// The settings table: every setting a <c>QuantizedModel</c> item and <c>dotnet quantize</c> accept, once. Defaults
/// are read from the engine's option records, so they are written in one place. Adding a setting is one entry here
/// (and in <see cref="All"/>), the line in Quantize.Build.props a test asks for, and the code that uses the value.
/// </summary>
public static class QuantizeSettings
{
    private static readonly QuantizeOptions Options = new() { Precision = Core.Precision.Int8 };
    private static readonly ImagePreprocessing Image = new();
    private static readonly CalibrationOptions CalibrationDefaults = new();

    /// <summary>The target precision.</summary>
    public static readonly Setting Precision = new()
    {
        Name = "Precision", Kind = SettingKind.Text, Scope = SettingScope.Model, Required = true,
        Cli = "--precision", CliShort = "-p", ValueName = "fp16|bf16|int8|int4", DefaultText = "(required)",
        Help = "`fp16`, `bf16`, `int8` or `int4`, case-insensitive (aliases `float16`, `half`, `bfloat16`, `i8`, `i4`). Anything else is QNT0003.",
    };

    /// <summary>Nodes or op types kept in float.</summary>
    public static readonly Setting Exclude = new()
    {
        Name = "Exclude", Kind = SettingKind.List, Scope = SettingScope.Model, Separators = [';', ','], SplitCliValues = true,
        Cli = "--exclude", CliShort = "-x", ValueName = "name-or-op", DefaultText = "none",
        Help = "Node names or op types to leave in float, separated by `;` or `,` (the option may be repeated). Every entry must match a node; QNT0006 names the closest one otherwise. In a project write it as a child element, `<Exclude>a;b</Exclude>`: as an attribute, `Exclude` is MSBuild's own item exclusion and never reaches the quantizer.",
    };

    /// <summary>Per-node and per-op-type precisions.</summary>
    public static readonly Setting Overrides = new()
    {
        Name = "Overrides", Kind = SettingKind.List, Scope = SettingScope.Model, Separators = [';', '\n', '\r'],
        Cli = "--override", ValueName = "selector=precision", DefaultText = "none",
        Help = "Keep nodes in a higher precision: `SELECTOR=Fp32\\|Fp16\\|Int8`, where SELECTOR is node names or op types separated by `,`; entries separated by `;` (the option may be repeated). `Int8` applies to INT4 models: the MatMuls it selects get 8-bit blocks (MatMulNBits with bits = 8). Example: `Softmax,LayerNormalization=Fp16;fc1=Fp32`.",
    };

    /// <summary>FP16/BF16: keep float32 graph inputs and outputs.</summary>
    public static readonly Setting KeepIoTypes = new()
    {
        Name = "KeepIoTypes", Kind = SettingKind.Switch, Scope = SettingScope.Model, Precisions = [Core.Precision.Fp16, Core.Precision.Bf16],
        Cli = "--keep-io-types", Default = Bool(Options.KeepIoTypes), Aliases = [new("--convert-io", "false")],
        Help = "Keep the graph's float inputs and outputs float32 (Casts at the boundary), so callers do not change; `false` converts them too and the wrapper then takes `Half`/`BFloat16`.",
    };

    /// <summary>Weights smaller than this stay as they are.</summary>
    public static readonly Setting MinElements = new()
    {
        Name = "MinElements", Kind = SettingKind.Integer, Scope = SettingScope.Model,
        Cli = "--min-elements", ValueName = "N", Default = Invariant(Options.MinElements),
        Help = "Leave weights with fewer elements than this alone.",
    };

    /// <summary>INT8: one weight scale per output channel.</summary>
    public static readonly Setting PerChannel = new()
    {
        Name = "PerChannel", Kind = SettingKind.Switch, Scope = SettingScope.Model, Precisions = [Core.Precision.Int8],
        Cli = "--per-channel", Aliases = [new("--per-tensor", "false")],
        DefaultText = $"`{Bool(Options.PerChannel)}` dynamic, `{Bool(new StaticInt8Options().PerChannel)}` static",
        Help = "One weight scale per output channel instead of one per tensor.",
    };

    /// <summary>INT4 block size.</summary>
    public static readonly Setting BlockSize = new()
    {
        Name = "BlockSize", Kind = SettingKind.Integer, Scope = SettingScope.Model, Precisions = [Core.Precision.Int4],
        Cli = "--block-size", ValueName = "N", DefaultText = $"automatic: {QuantizeOptions.DefaultBlockSize}, or 16 for sensitive weights",
        Help = "Elements per quantization block for every weight; a power of two, at least 16. Left empty, MatMul weights whose rounding error reaches the output without passing a softmax get 16 (a note says how many); see passes.md.",
    };

    /// <summary>INT4 symmetric blocks.</summary>
    public static readonly Setting Symmetric = new()
    {
        Name = "Symmetric", Kind = SettingKind.Switch, Scope = SettingScope.Model, Precisions = [Core.Precision.Int4],
        Cli = "--symmetric", Default = Bool(Options.Symmetric), Aliases = [new("--asymmetric", "false")],
        Help = "Symmetric blocks (implicit zero point 8); `false` stores a zero point per block.",
    };

    /// <summary>INT4 MatMulNBits accuracy level.</summary>
    public static readonly Setting AccuracyLevel = new()
    {
        Name = "AccuracyLevel", Kind = SettingKind.Integer, Scope = SettingScope.Model, Precisions = [Core.Precision.Int4],
        Cli = "--accuracy-level", ValueName = "N", Default = Invariant(Options.AccuracyLevel),
        Help = "`MatMulNBits` `accuracy_level`: 0 unset, 1 fp32, 2 fp16, 3 bf16, 4 int8 (fastest on CPU).",
    };

    /// <summary>INT4 form.</summary>
    public static readonly Setting Int4Format = new()
    {
        Name = "Int4Format", Kind = SettingKind.Text, Scope = SettingScope.Model, Precisions = [Core.Precision.Int4],
        Cli = "--int4-format", ValueName = "matmulnbits|qdq", Default = "MatMulNBits",
        Help = "`MatMulNBits` (ONNX Runtime's fused contrib op) or `Qdq` (standard ONNX int4 initializers behind block-wise `DequantizeLinear`, opset 21).",
    };

    /// <summary>INT4: how levels are chosen.</summary>
    public static readonly Setting Int4Method = new()
    {
        Name = "Int4Method", Kind = SettingKind.Text, Scope = SettingScope.Model, Precisions = [Core.Precision.Int4],
        Cli = "--int4-method", ValueName = "rtn|hqq|gptq|awq", Default = Options.Int4Method.ToString(),
        Help = "`Rtn` rounds each block to nearest (data-free). `Hqq` optimizes each block's scale and zero point against the weights alone (half-quadratic, data-free). `Gptq` quantizes each MatMul weight row by row and pushes every rounding error onto the rows not yet quantized, weighted by the layer's input statistics from `CalibrationData` (required). `Awq` scales up the weight rows of the inputs with the largest activations before rounding and divides those inputs back at run time (one `Mul` before each MatMul), the scaling searched on `CalibrationData` (required). Embeddings stay round-to-nearest with `Gptq` and `Awq`; `Hqq` covers them too. Measured on MiniLM at block 32, `Awq` gains most with `Symmetric=false` (mean cosine 0.982 → 0.986).",
    };

    /// <summary>INT4 GPTQ: act-order.</summary>
    public static readonly Setting GptqActOrder = new()
    {
        Name = "GptqActOrder", Kind = SettingKind.Switch, Scope = SettingScope.Model, Precisions = [Core.Precision.Int4],
        Cli = "--gptq-act-order", Default = Bool(Options.GptqActOrder),
        Help = "With `Int4Method=Gptq`: quantize each weight's rows in order of decreasing input energy instead of natural order (the paper's act-order), with every block's scale and zero point fixed from the weights first so blocks stay contiguous for the kernel. `false` keeps natural order.",
    };

    /// <summary>Where the written model's weights go.</summary>
    public static readonly Setting ExternalData = new()
    {
        Name = "ExternalData", Kind = SettingKind.Text, Scope = SettingScope.Model,
        Cli = "--external-data", ValueName = "auto|always|never", Default = Options.ExternalData.ToString(),
        Help = "Where the written model's weights go: `Auto` inline unless the model would pass protobuf's 2 GiB limit (or, for a source that came with external data, 1 GiB: ONNX Runtime maps external data but parses inline weights), `Always` into a `.data` file beside the model (page-aligned, memory-mappable), `Never` inline. A build with external data needs `Embed=\"false\"`.",
    };

    /// <summary>Static INT8 calibration files.</summary>
    public static readonly Setting CalibrationData = new()
    {
        Name = "CalibrationData", Kind = SettingKind.List, Scope = SettingScope.Calibration, InCacheKey = false,
        Cli = "--calibration-data", ValueName = "path", DefaultText = "none",
        Help = "Files, folders (recursive) or globs (`*`, `?`, `**`) to calibrate on: `.npy`, `.npz`, ONNX `.pb` test-data folders, `.png`/`.jpg`, `.txt` (one sample a line). With INT8 it makes quantization static (QDQ); without it INT8 stays dynamic. INT4 with `Int4Method=Gptq` or `Awq` reads it too. In a project: separated by `;`, relative to the project.",
    };

    /// <summary>How activation ranges are computed.</summary>
    public static readonly Setting CalibrationMethod = new()
    {
        Name = "CalibrationMethod", Kind = SettingKind.Text, Scope = SettingScope.Calibration,
        Cli = "--calibration-method", ValueName = "minmax|percentile|entropy", Default = CalibrationDefaults.Method.ToString(),
        Help = "`MinMax` (exact extremes), `Percentile` (clips rare outliers) or `Entropy` (KL-divergence threshold over a fine histogram).",
    };

    /// <summary>At most this many calibration samples.</summary>
    public static readonly Setting CalibrationSamples = new()
    {
        Name = "CalibrationSamples", Kind = SettingKind.Integer, Scope = SettingScope.Calibration,
        Cli = "--calibration-samples", ValueName = "N", DefaultText = "all",
        Help = "Use at most this many samples, the first in sorted path order.",
    };

    /// <summary>The Percentile method's percentile.</summary>
    public static readonly Setting Percentile = new()
    {
        Name = "Percentile", Kind = SettingKind.Number, Scope = SettingScope.Calibration,
        Cli = "--percentile", ValueName = "P", Default = Invariant(CalibrationDefaults.Percentile),
        Help = "Percentile method: the percentile of \\|x\\| kept, in (0, 100].",
    };

    /// <summary>Static INT8 activation type.</summary>
    public static readonly Setting ActivationType = new()
    {
        Name = "ActivationType", Kind = SettingKind.Text, Scope = SettingScope.Calibration,
        Cli = "--activation-type", ValueName = "u8|s8", Default = "U8",
        Help = "Activations as `U8` (fastest on x86) or `S8`.",
    };

    /// <summary>Static INT8 bias correction.</summary>
    public static readonly Setting BiasCorrection = new()
    {
        Name = "BiasCorrection", Kind = SettingKind.Text, Scope = SettingScope.Calibration,
        Cli = "--bias-correction", ValueName = "depthwise|all|none", Default = new StaticInt8Options().BiasCorrection.ToString(),
        Help = $"Static INT8: shift biases by their layer's mean quantization error over the first {Passes.Int8Static.BiasCorrection.MaxSamples} calibration samples, layer after layer. `Depthwise` corrects depthwise Convs only (where rounding shifts the mean; models without them are untouched), `All` every Conv, ConvTranspose and Gemm with a bias, `None` nothing. passes.md has the measurements.",
    };

    /// <summary>Static INT8 cross-layer equalization.</summary>
    public static readonly Setting CrossLayerEqualization = new()
    {
        Name = "CrossLayerEqualization", Kind = SettingKind.Text, Scope = SettingScope.Calibration,
        Cli = "--cross-layer-equalization", ValueName = "none|exact|relu6", Default = new StaticInt8Options().CrossLayerEqualization.ToString(),
        Help = "Static INT8: before calibrating, rescale the channels between two Convs so that both weights' per-channel ranges match (Nagel et al. 2019). `Exact` equalizes across Relu, LeakyRelu, pooling or nothing (same float function), `Relu6` also across Relu6 (`Clip(0, 6)`), which becomes Relu as in the paper (the float function changes where values exceeded 6; the result is still compared with the original model), `None` nothing. passes.md has the measurements.",
    };

    /// <summary>Static INT8: cut ranges read only by saturating ops.</summary>
    public static readonly Setting ClipSaturatedRanges = new()
    {
        Name = "ClipSaturatedRanges", Kind = SettingKind.Switch, Scope = SettingScope.Calibration,
        Cli = "--clip-saturated-ranges", Default = Bool(new StaticInt8Options().ClipSaturatedRanges),
        Help = $"Static INT8: a tensor read only by Sigmoid, Tanh or HardSigmoid is quantized on the part of its calibrated range where they do not saturate (Sigmoid ±{Passes.Int8Static.SaturatingReaders.SigmoidBound:0}, Tanh ±{Passes.Int8Static.SaturatingReaders.TanhBound:0}, HardSigmoid its linear part), so a probability map's logits get a finer grid where the decision is made. `false` keeps every range as calibrated.",
    };

    /// <summary>Static INT8: leave measured-slow patterns in float.</summary>
    public static readonly Setting AvoidSlowPatterns = new()
    {
        Name = "AvoidSlowPatterns", Kind = SettingKind.Switch, Scope = SettingScope.Calibration,
        Cli = "--avoid-slow-patterns", Default = Bool(new StaticInt8Options().AvoidSlowPatterns),
        Help = "Static INT8: leave in float the patterns ONNX Runtime's CPU kernels run slower than float, a grouped (depthwise) or thin Conv between float ops such as HardSwish; a note names them. `false` quantizes them anyway.",
    };

    /// <summary>Image target size.</summary>
    public static readonly Setting ImageSize = new()
    {
        Name = "ImageSize", Kind = SettingKind.Text, Scope = SettingScope.Preprocessing,
        Cli = "--image-size", ValueName = "WxH", DefaultText = "the model input's size",
        Help = "Images: the target size, `WIDTHxHEIGHT`.",
    };

    /// <summary>Image resize mode.</summary>
    public static readonly Setting ResizeMode = new()
    {
        Name = "ResizeMode", Kind = SettingKind.Text, Scope = SettingScope.Preprocessing,
        Cli = "--resize", ValueName = "stretch|crop", Default = Image.Resize.ToString(),
        Help = "Images: `Stretch` to the size, or `Crop` (cover it, then cut the center, like torchvision's `Resize` + `CenterCrop`).",
    };

    /// <summary>Image channel order.</summary>
    public static readonly Setting ChannelOrder = new()
    {
        Name = "ChannelOrder", Kind = SettingKind.Text, Scope = SettingScope.Preprocessing,
        Cli = "--channel-order", ValueName = "rgb|bgr", Default = Image.Channels.ToString(),
        Help = "Images: the model input's channel order, `Rgb` or `Bgr`.",
    };

    /// <summary>Image tensor layout.</summary>
    public static readonly Setting Layout = new()
    {
        Name = "Layout", Kind = SettingKind.Text, Scope = SettingScope.Preprocessing,
        Cli = "--layout", ValueName = "nchw|nhwc", DefaultText = "inferred (the axis of size 3 or 4)",
        Help = "Images: the model input's layout, `NCHW` or `NHWC`.",
    };

    /// <summary>Image pixel scale.</summary>
    public static readonly Setting Scale = new()
    {
        Name = "Scale", Kind = SettingKind.Number, Scope = SettingScope.Preprocessing,
        Cli = "--scale", ValueName = "S", DefaultText = "1/255",
        Help = "Images: each 0..255 pixel is multiplied by this first.",
    };

    /// <summary>Image per-channel mean.</summary>
    public static readonly Setting Mean = new()
    {
        Name = "Mean", Kind = SettingKind.Text, Scope = SettingScope.Preprocessing,
        Cli = "--mean", ValueName = "r,g,b", Default = Floats(Image.Mean),
        Help = "Images: subtracted after scaling; one number for every channel, or one per channel in the model's order (`r,g,b`, or `r,g,b,a` for a 4-channel input, which gets the image's alpha, 255 for an opaque photo).",
    };

    /// <summary>Image per-channel standard deviation.</summary>
    public static readonly Setting Std = new()
    {
        Name = "Std", Kind = SettingKind.Text, Scope = SettingScope.Preprocessing,
        Cli = "--std", ValueName = "r,g,b", Default = Floats(Image.Std),
        Help = "Images: divided by last, `(pixel × Scale − Mean) / Std`; one number or one per channel, like `Mean`.",
    };

    /// <summary>Image decode limit.</summary>
    public static readonly Setting MaxImageMegapixels = new()
    {
        Name = "MaxImageMegapixels", Kind = SettingKind.Number, Scope = SettingScope.Preprocessing,
        Cli = "--max-image-megapixels", ValueName = "N", Default = Invariant(ImagePreprocessing.DefaultMaxPixels / 1e6),
        Help = "Images: refuse an image whose header claims more megapixels than this, before decoding it (QNT0023).",
    };

    /// <summary>Text vocabulary.</summary>
    public static readonly Setting Vocab = new()
    {
        Name = "Vocab", Kind = SettingKind.Text, Scope = SettingScope.Preprocessing, InCacheKey = false,
        Cli = "--vocab", ValueName = "path", DefaultText = "none",
        Help = "Text (`.txt`, one sample a line): the encoder's WordPiece `vocab.txt`; required for text data.",
    };

    /// <summary>Text token limit.</summary>
    public static readonly Setting MaxLength = new()
    {
        Name = "MaxLength", Kind = SettingKind.Integer, Scope = SettingScope.Preprocessing,
        Cli = "--max-length", ValueName = "N", Default = Invariant(TextTokenization.DefaultMaxLength),
        Help = "Text: most tokens per sample, `[CLS]` and `[SEP]` included; each line is its own unpadded sample.",
    };

    /// <summary>The quality check at all.</summary>
    public static readonly Setting QualityCheck = new()
    {
        Name = "QualityCheck", Kind = SettingKind.Switch, Scope = SettingScope.Quality,
        Cli = "--quality-check", Default = "true", Aliases = [new("--no-quality-check", "false")],
        Help = "Compare with the float model and time both after quantizing; `false` skips both. The build compares whenever it has data; the CLI when validation data, a gate, a metric, `--report` or the collapse guard with calibration data asks for it.",
    };

    /// <summary>Data to evaluate on.</summary>
    public static readonly Setting ValidationData = new()
    {
        Name = "ValidationData", Kind = SettingKind.List, Scope = SettingScope.Quality, InCacheKey = false,
        Cli = "--validation-data", ValueName = "path", DefaultText = "none",
        Help = "Files, folders or globs to compare the float and quantized models on, in the calibration formats and preprocessing. Without it, a held-out fifth of the calibration data is used (static INT8), or there is no accuracy check.",
    };

    /// <summary>At most this many validation samples.</summary>
    public static readonly Setting ValidationSamples = new()
    {
        Name = "ValidationSamples", Kind = SettingKind.Integer, Scope = SettingScope.Quality,
        Cli = "--validation-samples", ValueName = "N", DefaultText = "all",
        Help = "Use at most this many validation samples.",
    };

    /// <summary>What accuracy is measured as.</summary>
    public static readonly Setting Metric = new()
    {
        Name = "Metric", Kind = SettingKind.Text, Scope = SettingScope.Quality,
        Cli = "--metric", ValueName = "cosine|top1[:OUTPUT;...]", Default = "Cosine",
        Aliases = [new("--top1", null, outputs => "Top1:" + string.Join(";", outputs), "An output holding class scores, to measure top-1 agreement on (repeatable): the same as --metric top1:OUTPUT;OUTPUT.")],
        Help = "`Cosine`, or `Top1` to also measure top-1 agreement (arg-max over the last axis) on every output, or `Top1:logits;probs` on the outputs named (`--top1 OUTPUT` on the command line, repeatable).",
    };

    /// <summary>The speed check.</summary>
    public static readonly Setting SpeedCheck = new()
    {
        Name = "SpeedCheck", Kind = SettingKind.Switch, Scope = SettingScope.Quality,
        Cli = "--speed-check", Default = Bool(new QualityCheckOptions().SpeedCheck), Aliases = [new("--no-speed-check", "false")],
        Help = "Time float against quantized, interleaved (warning QNT1005 when slower beyond the noise; skipped when nothing was quantized).",
    };

    /// <summary>Decoders: the speed check's prompt length.</summary>
    public static readonly Setting PromptLength = new()
    {
        Name = "PromptLength", Kind = SettingKind.Integer, Scope = SettingScope.Quality,
        Cli = "--prompt-length", ValueName = "N", Default = Invariant(QualityCheckOptions.DefaultPromptLength),
        Help = "For a decoder with a KV cache (`input_ids`, `attention_mask`, `past_key_values.N.key/value`): the speed check times a prefill of this many tokens.",
    };

    /// <summary>Decoders: the speed check's decode context.</summary>
    public static readonly Setting DecodeContext = new()
    {
        Name = "DecodeContext", Kind = SettingKind.Integer, Scope = SettingScope.Quality,
        Cli = "--decode-context", ValueName = "N", Default = Invariant(QualityCheckOptions.DefaultDecodeContext),
        Help = "For a decoder with a KV cache: the speed check times one decode step after this many cached tokens and reports tokens per second; speed gates use it.",
    };

    /// <summary>Gate: output cosine.</summary>
    public static readonly Setting MinCosine = Gate("MinCosine", "--min-cosine", "value", "every output's mean cosine similarity to float is at least this, e.g. `0.995`");

    /// <summary>Gate: signal-to-quantization-noise ratio.</summary>
    public static readonly Setting MinSqnr = Gate("MinSqnr", "--min-sqnr", "dB", "every output's signal-to-quantization-noise ratio is at least this many dB, e.g. `25`");

    /// <summary>Gate: top-1 agreement drop.</summary>
    public static readonly Setting MaxTop1Drop = Gate("MaxTop1Drop", "--max-top1-drop", "fraction", "the top-1 agreement of a `Top1` output drops by at most this fraction, e.g. `0.01`");

    /// <summary>Gate: speed-up over float.</summary>
    public static readonly Setting MinSpeedup = Gate("MinSpeedup", "--min-speedup", "ratio", "float latency / quantized latency on this machine's CPU is at least this, e.g. `1.2`");

    /// <summary>Automatic mixed precision on a failed gate.</summary>
    public static readonly Setting AutoMixedPrecision = new()
    {
        Name = "AutoMixedPrecision", Kind = SettingKind.Switch, Scope = SettingScope.Quality,
        Cli = "--auto-mixed-precision", Default = Bool(new QualityCheckOptions().AutoMixedPrecision),
        Help = "When an accuracy gate fails, keep the most sensitive nodes in float one at a time until every gate passes; the chosen nodes are printed as a ready `Exclude` (QNT0019 with the best mix when none passes).",
    };

    /// <summary>The default guard against collapse.</summary>
    public static readonly Setting CollapseGuard = new()
    {
        Name = "CollapseGuard", Kind = SettingKind.Switch, Scope = SettingScope.Quality,
        Cli = "--collapse-guard", Default = Bool(new QualityCheckOptions().CollapseGuard), Aliases = [new("--no-collapse-guard", "false")],
        Help = "With data to compare on and no accuracy gate, refuse a result whose output cosine to float is below 0.90: QNT0027, nothing written.",
    };

    /// <summary>AutoMixedPrecision's budget.</summary>
    public static readonly Setting MaxFallbacks = new()
    {
        Name = "MaxFallbacks", Kind = SettingKind.Integer, Scope = SettingScope.Quality,
        Cli = "--max-fallbacks", ValueName = "N", Default = Invariant(QualityCheckOptions.DefaultMaxFallbacks),
        Help = "AutoMixedPrecision: the most nodes it may keep in float.",
    };

    /// <summary>Every setting, in the order help and docs list them.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        Precision, Exclude, Overrides, KeepIoTypes, MinElements, PerChannel, BlockSize, Symmetric, AccuracyLevel, Int4Format, Int4Method, GptqActOrder, ExternalData,
        CalibrationData, CalibrationMethod, CalibrationSamples, Percentile, ActivationType, BiasCorrection, CrossLayerEqualization, ClipSaturatedRanges, AvoidSlowPatterns,
        ImageSize, ResizeMode, ChannelOrder, Layout, Scale, Mean, Std, MaxImageMegapixels, Vocab, MaxLength,
        QualityCheck, ValidationData, ValidationSamples, Metric, SpeedCheck, PromptLength, DecodeContext, MinCosine, MinSqnr, MaxTop1Drop, MinSpeedup,
        AutoMixedPrecision, CollapseGuard, MaxFallbacks,
    ];

    /// <summary>The setting with metadata name <paramref name="name"/> (case-insensitive, as MSBuild metadata), or null.</summary>
    public static Setting? Find(string name) => All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static Setting Gate(string name, string cli, string valueName, string condition) => new()
    {
        Name = name, Kind = SettingKind.Number, Scope = SettingScope.Quality,
        Cli = cli, ValueName = valueName, DefaultText = "not checked",
        Help = $"Gate: fail (QNT0018, nothing written) unless {condition}.",
    };

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string Floats(IReadOnlyList<float> values) => string.Join(",", values.Select(v => Invariant(v)));
}
