using Quantize.Core.Diagnostics;
using SkiaSharp;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// Decodes a photo with SkiaSharp (a maintained codec library, not a hand-written decoder), resizes it as
/// declared and writes the normalized float tensor of the model's image input.
/// </summary>
internal sealed class ImageSampleReader
{
    private readonly ModelInput _input;
    private readonly ImagePreprocessing _options;
    private readonly int _width;
    private readonly int _height;
    private readonly TensorLayout _layout;
    private readonly int _channels;

    public ImageSampleReader(IReadOnlyList<ModelInput> inputs, ImagePreprocessing? options, string source)
    {
        _options = options ?? new ImagePreprocessing();
        var images = inputs.Where(i => i.ElementType is DataType.Float or DataType.Undefined && i.Dims is { Count: 4 }).ToList();
        if (inputs.Count != 1 || images.Count != 1)
        {
            throw new QuantizeException(ErrorCodes.CalibrationInputMissing, source,
                $"Images calibrate models with one 4-D float input; this model has inputs {string.Join(", ", inputs.Select(i => $"'{i.Name}' {i.ElementType} {i.ShapeText}"))}.");
        }

        _input = images[0];
        var dims = _input.Dims!;
        _layout = _options.Layout ?? (IsChannelCount(dims[1]) || !IsChannelCount(dims[3]) ? TensorLayout.Nchw : TensorLayout.Nhwc);
        var (h, w, c) = _layout == TensorLayout.Nchw ? (dims[2], dims[3], dims[1]) : (dims[1], dims[2], dims[3]);
        if (c is long channels && !IsChannelCount(channels))
        {
            throw new QuantizeException(ErrorCodes.CalibrationInputMismatch, source,
                $"Model input '{_input.Name}' has {channels} channels in {_layout} layout; calibration images give 3 (RGB) or 4 (RGBA) (declare the layout if it is the other one).");
        }

        _channels = (int)(c ?? 3);
        _width = _options.Width ?? (int?)w ?? throw Missing("width", source);
        _height = _options.Height ?? (int?)h ?? throw Missing("height", source);
        if (_width <= 0 || _height <= 0 || !FitsChannels(_options.Mean) || !FitsChannels(_options.Std) || _options.Std.Any(s => s == 0))
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, source,
                $"Image preprocessing needs a positive size, and one mean and one non-zero standard deviation for every channel or one per channel: model input '{_input.Name}' has {_channels} channels.");
        }
    }

    public Dictionary<string, CalibrationTensor> Read(string path)
    {
        var pixels = DecodeRgba(path);
        return new(StringComparer.Ordinal) { [_input.Name] = Normalize(pixels) };
    }

    /// <summary>The image at the target size as RGBA bytes (row-major, unpremultiplied).</summary>
    private byte[] DecodeRgba(string path)
    {
        using var decoded = Decode(path);
        var (resizedWidth, resizedHeight) = ResizedSize(decoded.Width, decoded.Height);
        SKBitmap? resized = null;
        try
        {
            var source = decoded;
            if (resizedWidth != decoded.Width || resizedHeight != decoded.Height)
            {
                var info = new SKImageInfo(resizedWidth, resizedHeight, SKColorType.Rgba8888, SKAlphaType.Unpremul);
                resized = decoded.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None))
                    ?? throw new FormatException($"'{path}' could not be resized to {resizedWidth}×{resizedHeight}.");
                source = resized;
            }

            // ReadPixels converts to RGBA and cuts the centered target window in one step.
            var target = new SKImageInfo(_width, _height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            var rgba = new byte[_width * _height * 4];
            int x0 = (source.Width - _width) / 2;
            int y0 = (source.Height - _height) / 2;
            unsafe
            {
                fixed (byte* destination = rgba)
                {
                    using var pixmap = source.PeekPixels();
                    if (pixmap is null || !pixmap.ReadPixels(target, (IntPtr)destination, _width * 4, x0, y0))
                    {
                        throw new FormatException($"'{path}' could not be converted to RGBA pixels.");
                    }
                }
            }

            return rgba;
        }
        finally
        {
            resized?.Dispose();
        }
    }

    /// <summary>
    /// Reads the header first and refuses an image claiming more than <see cref="ImagePreprocessing.MaxPixels"/> before
    /// allocating its pixels; a truncated image is an error, not a partly gray sample.
    /// </summary>
    private SKBitmap Decode(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw new FormatException($"'{path}' is not an image SkiaSharp can decode (corrupt, truncated or another format).");
        var info = codec.Info;
        if ((long)info.Width * info.Height > _options.MaxPixels)
        {
            throw new QuantizeException(ErrorCodes.ImageTooLarge, path, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Image '{path}' claims {info.Width}×{info.Height} pixels ({(long)info.Width * info.Height / 1e6:0.#} megapixels), over the {_options.MaxPixels / 1e6:0.#}-megapixel limit (--max-image-megapixels, MaxImageMegapixels)."));
        }

        var bitmap = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var outcome = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        if (outcome != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new FormatException(outcome == SKCodecResult.IncompleteInput
                ? $"'{path}' is truncated: its data ends before the {info.Width}×{info.Height} image it declares."
                : $"'{path}' could not be decoded ({outcome}).");
        }

        return bitmap;
    }

    private (int Width, int Height) ResizedSize(int width, int height)
    {
        if (_options.Resize == ResizeMode.Stretch)
        {
            return (_width, _height);
        }

        // Cover the target: the side that needs the larger scale decides, the other overhangs and is cropped.
        double scale = Math.Max((double)_width / width, (double)_height / height);
        return (Math.Max(_width, (int)Math.Round(width * scale)), Math.Max(_height, (int)Math.Round(height * scale)));
    }

    private CalibrationTensor Normalize(byte[] rgba)
    {
        int plane = _width * _height;
        int channels = _channels;
        var values = new float[plane * channels];
        // Model channel c takes RGBA component order[c]; alpha comes last in either order.
        ReadOnlySpan<int> order = _options.Channels == ChannelOrder.Rgb ? [0, 1, 2, 3] : [2, 1, 0, 3];
        for (int c = 0; c < channels; c++)
        {
            float std = PerChannel(_options.Std, c);
            float scale = _options.Scale / std;
            float offset = -PerChannel(_options.Mean, c) / std;
            int component = order[c];
            for (int p = 0; p < plane; p++)
            {
                float value = (rgba[(4 * p) + component] * scale) + offset;
                values[_layout == TensorLayout.Nchw ? (c * plane) + p : (channels * p) + c] = value;
            }
        }

        long[] shape = _layout == TensorLayout.Nchw ? [1, channels, _height, _width] : [1, _height, _width, channels];
        return CalibrationTensor.FromFloats(values, shape);
    }

    private static bool IsChannelCount(long? dimension) => dimension is 3 or 4;

    private bool FitsChannels(IReadOnlyList<float> values) => values.Count == 1 || values.Count == _channels;

    private static float PerChannel(IReadOnlyList<float> values, int channel) => values.Count == 1 ? values[0] : values[channel];

    private QuantizeException Missing(string what, string source) =>
        new(ErrorCodes.InvalidOption, source, $"Model input '{_input.Name}' has a symbolic {what}; declare the calibration image {what}.");
}
