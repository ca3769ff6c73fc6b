namespace Quantize.Core.Calibration.Data;

/// <summary>How an image is resized to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scale both sides to the target size (the aspect ratio may change).</summary>
    Stretch,

    /// <summary>Scale so the image covers the target size (the shorter side fits), then cut the center (torchvision's Resize + CenterCrop).</summary>
    CenterCrop,
}

/// <summary>The order of color channels the model expects.</summary>
public enum ChannelOrder
{
    /// <summary>Red, green, blue (PyTorch/torchvision models), then alpha where the model has a fourth channel.</summary>
    Rgb,

    /// <summary>Blue, green, red (Caffe/OpenCV-trained models), then alpha where the model has a fourth channel.</summary>
    Bgr,
}

/// <summary>Where the channel axis is in the model's 4-D image input.</summary>
public enum TensorLayout
{
    /// <summary>[batch, channels, height, width].</summary>
    Nchw,

    /// <summary>[batch, height, width, channels].</summary>
    Nhwc,
}

/// <summary>
/// The declared preprocessing of calibration images: value = (pixel × <see cref="Scale"/> − mean[c]) / std[c],
/// with pixel in 0..255 and c the model's channel index (so <see cref="Mean"/> and <see cref="Std"/> are in
/// <see cref="ChannelOrder"/> order). A model input with 4 channels gets the image's alpha as the fourth
/// (255 for an opaque photo), as exporters of RGBA texture models (Unity, tf2onnx) expect. Width, height
/// and layout default to what the model's input declares.
/// </summary>
public sealed record ImagePreprocessing
{
    /// <summary>Target width in pixels; null takes it from the model's input.</summary>
    public int? Width { get; init; }

    /// <summary>Target height in pixels; null takes it from the model's input.</summary>
    public int? Height { get; init; }

    /// <summary>How to reach the target size.</summary>
    public ResizeMode Resize { get; init; } = ResizeMode.Stretch;

    /// <summary>Channel order of the model input.</summary>
    public ChannelOrder Channels { get; init; } = ChannelOrder.Rgb;

    /// <summary>Layout of the model input; null infers it from which declared axis is 3.</summary>
    public TensorLayout? Layout { get; init; }

    /// <summary>Multiplies each 0..255 pixel value first (1/255 maps to 0..1).</summary>
    public float Scale { get; init; } = 1f / 255f;

    /// <summary>Mean subtracted after scaling: one per channel of the model input, or one for all.</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0f];

    /// <summary>Standard deviation divided by last: one per channel of the model input, or one for all.</summary>
    public IReadOnlyList<float> Std { get; init; } = [1f];

    /// <summary>The most pixels an image may claim (width × height in its header) before it is decoded; 100 megapixels by default.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;

    /// <summary>The default decode limit: 100 megapixels, far above any camera image, far below what a forged header can claim.</summary>
    public const long DefaultMaxPixels = 100_000_000;

    /// <summary>ImageNet normalization as torchvision uses it (RGB, 0..1, then mean/std), center-cropped.</summary>
    public static ImagePreprocessing ImageNet { get; } = new()
    {
        Resize = ResizeMode.CenterCrop,
        Mean = [0.485f, 0.456f, 0.406f],
        Std = [0.229f, 0.224f, 0.225f],
    };
}
