using System.CommandLine;
using Quantize.Core;
using Quantize.Core.Calibration;
using Quantize.Core.Calibration.Data;

namespace Quantize.Cli.Commands;

/// <summary>
/// The static INT8 options of <c>quantize</c>: calibration data, method, activation type and the image/text
/// preprocessing that turns files into model inputs. With <c>--precision int8</c>, giving
/// <c>--calibration-data</c> switches INT8 from dynamic to static (QDQ).
/// </summary>
internal sealed class CalibrationCommandOptions
{
    private static readonly CalibrationOptions Defaults = new();

    private readonly Option<string[]> _data = new("--calibration-data")
    {
        Description = "INT8: calibrate on these files, folders or globs (.npy, .npz, .pb, .png, .jpg, .txt) and quantize statically (QDQ). Repeatable.",
        HelpName = "path",
    };

    private readonly Option<string> _method = new("--calibration-method")
    {
        Description = "How activation ranges are computed: minmax (exact extremes), percentile (clips rare outliers) or entropy (KL-divergence threshold).",
        HelpName = "minmax|percentile|entropy",
        DefaultValueFactory = _ => "minmax",
    };

    private readonly Option<int?> _samples = new("--calibration-samples")
    {
        Description = "Use at most this many samples (the first ones in sorted path order).",
        HelpName = "count",
    };

    private readonly Option<double> _percentile = new("--percentile")
    {
        Description = "Percentile method: the percentile of |x| kept.",
        DefaultValueFactory = _ => Defaults.Percentile,
    };

    private readonly Option<string> _activationType = new("--activation-type")
    {
        Description = "Static INT8 activation type: u8 (fastest on x86) or s8.",
        HelpName = "u8|s8",
        DefaultValueFactory = _ => "u8",
    };

    private readonly Option<bool> _perTensor = new("--per-tensor")
    {
        Description = "Static INT8: one weight scale per tensor instead of per output channel.",
    };

    private readonly Option<string> _rangesCache = new("--ranges-cache")
    {
        Description = "Keep the calibrated ranges in this JSON file; a later run with the same model, data and method reuses them.",
        HelpName = "path",
    };

    private readonly Option<string> _imageSize = new("--image-size")
    {
        Description = "Images: target size (default: the model input's size).",
        HelpName = "WxH",
    };

    private readonly Option<string> _resize = new("--resize")
    {
        Description = "Images: stretch to the target size, or crop (cover, then cut the center).",
        HelpName = "stretch|crop",
        DefaultValueFactory = _ => "stretch",
    };

    private readonly Option<string> _channelOrder = new("--channel-order")
    {
        Description = "Images: channel order of the model input.",
        HelpName = "rgb|bgr",
        DefaultValueFactory = _ => "rgb",
    };

    private readonly Option<string?> _layout = new("--layout")
    {
        Description = "Images: layout of the model input (default: inferred from the axis of size 3).",
        HelpName = "nchw|nhwc",
    };

    private readonly Option<float?> _scale = new("--scale")
    {
        Description = "Images: each 0..255 pixel is multiplied by this first (default 1/255).",
    };

    private readonly Option<string?> _mean = new("--mean")
    {
        Description = "Images: per-channel mean subtracted after scaling (default 0,0,0).",
        HelpName = "r,g,b",
    };

    private readonly Option<string?> _std = new("--std")
    {
        Description = "Images: per-channel standard deviation divided by last (default 1,1,1).",
        HelpName = "r,g,b",
    };

    private readonly Option<double?> _maxImageMegapixels = new("--max-image-megapixels")
    {
        Description = "Images: refuse an image whose header claims more megapixels than this, before decoding it (default 100).",
        HelpName = "count",
    };

    private readonly Option<string?> _vocab = new("--vocab")
    {
        Description = "Text (.txt, one sample per line): the WordPiece vocabulary (vocab.txt) of the encoder.",
        HelpName = "path",
    };

    private readonly Option<int?> _maxLength = new("--max-length")
    {
        Description = "Text: most tokens per sample, [CLS] and [SEP] included (default 128).",
    };

    /// <summary>Every option, for adding to the command.</summary>
    public IEnumerable<Option> All =>
        [_data, _method, _samples, _percentile, _activationType, _perTensor, _rangesCache, _imageSize, _resize, _channelOrder, _layout, _scale, _mean, _std, _maxImageMegapixels, _vocab, _maxLength];

    /// <summary>The options that turn image and text files into inputs: they apply to validation data too.</summary>
    public IEnumerable<Option> Preprocessing => [_imageSize, _resize, _channelOrder, _layout, _scale, _mean, _std, _maxImageMegapixels, _vocab, _maxLength];

    /// <summary>The static INT8 settings from --activation-type and --per-tensor.</summary>
    public StaticInt8Options StaticOptions(ParseResult parseResult, string input) => new()
    {
        PerChannel = !parseResult.GetValue(_perTensor),
        ActivationType = CalibrationValues.Activation(parseResult.GetValue(_activationType), "--activation-type", input),
    };

    /// <summary>The calibration part of the request, or null when no --calibration-data was given (dynamic INT8).</summary>
    public CalibrationRequest? ToRequest(ParseResult parseResult, string input)
    {
        var sources = parseResult.GetValue(_data) ?? [];
        if (sources.Length == 0)
        {
            return null;
        }

        var data = DataOptions(parseResult, input, sources) with { MaxSamples = parseResult.GetValue(_samples) };
        var options = new CalibrationOptions
        {
            Method = CalibrationValues.Method(parseResult.GetValue(_method), "--calibration-method", input),
            Percentile = CalibrationValues.Percentile(parseResult.GetValue(_percentile), "--percentile", input),
        };
        return new CalibrationRequest(data, options, parseResult.GetValue(_rangesCache));
    }

    /// <summary>
    /// <paramref name="sources"/> read with the image and text preprocessing options: calibration and validation
    /// data feed the same model, so they are turned into inputs the same way.
    /// </summary>
    public CalibrationDataOptions DataOptions(ParseResult parseResult, string input, IReadOnlyList<string> sources) => new()
    {
        Sources = sources,
        Image = Image(parseResult, input),
        Text = parseResult.GetValue(_vocab) is { } vocab
            ? new TextTokenization { VocabularyPath = Path.GetFullPath(vocab), MaxLength = parseResult.GetValue(_maxLength) ?? 128 }
            : null,
    };

    private ImagePreprocessing Image(ParseResult parseResult, string input)
    {
        var size = CalibrationValues.Size(parseResult.GetValue(_imageSize), "--image-size", input);
        var defaults = new ImagePreprocessing();
        return new ImagePreprocessing
        {
            Width = size?.Width,
            Height = size?.Height,
            Resize = CalibrationValues.Resize(parseResult.GetValue(_resize), "--resize", input),
            Channels = CalibrationValues.Channels(parseResult.GetValue(_channelOrder), "--channel-order", input),
            Layout = CalibrationValues.Layout(parseResult.GetValue(_layout), "--layout", input),
            Scale = parseResult.GetValue(_scale) ?? defaults.Scale,
            Mean = CalibrationValues.ChannelValues(parseResult.GetValue(_mean), "--mean", input) ?? defaults.Mean,
            Std = CalibrationValues.ChannelValues(parseResult.GetValue(_std), "--std", input) ?? defaults.Std,
            MaxPixels = CalibrationValues.MaxPixels(parseResult.GetValue(_maxImageMegapixels), "--max-image-megapixels", input) ?? defaults.MaxPixels,
        };
    }
}
