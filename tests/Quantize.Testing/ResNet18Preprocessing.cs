using Quantize.Core.Calibration.Data;

namespace Quantize.Testing;

/// <summary>How photos become <see cref="RealModels.ResNet18Path"/>'s input.</summary>
public static class ResNet18Preprocessing
{
    /// <summary>
    /// ML.NET's ResNet-18 featurizer is fed by ResNetPreprocess.onnx from the same package: it reorders the
    /// 0..255 RGB planes to BGR and subtracts a Caffe ImageNet mean image, with no division. The per-channel
    /// means of that mean image (B 103.06, G 115.90, R 123.15) are the declared means here; ML.NET resizes
    /// with an isotropic center crop to 224×224.
    /// </summary>
    public static ImagePreprocessing MlNet { get; } = new()
    {
        Width = 224,
        Height = 224,
        Resize = ResizeMode.CenterCrop,
        Channels = ChannelOrder.Bgr,
        Layout = TensorLayout.Nchw,
        Scale = 1f,
        Mean = [103.06f, 115.90f, 123.15f],
        Std = [1f, 1f, 1f],
    };
}
