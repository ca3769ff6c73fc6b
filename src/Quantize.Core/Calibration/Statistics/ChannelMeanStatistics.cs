using System.Numerics.Tensors;

namespace Quantize.Core.Calibration.Statistics;

/// <summary>
/// The mean of a tensor per channel (axis 1: NCHW's C, a Gemm output's columns) over every calibration sample and
/// position: what bias correction compares between the float and the quantized model. A slice holding a non-finite
/// value is skipped. Its range is the plain min/max, so it can stand where the calibrator expects a range.
/// </summary>
internal sealed class ChannelMeanStatistics : ITensorStatistics
{
    private readonly MinMaxStatistics _range = new(averagingConstant: null);
    private double[] _sums = [];
    private long[] _counts = [];

    /// <summary>The mean of each channel; NaN for a channel with no finite slice (or before anything was added).</summary>
    public double[] Means => [.. _sums.Select((sum, c) => _counts[c] > 0 ? sum / _counts[c] : double.NaN)];

    public void Add(ReadOnlySpan<float> values) =>
        throw new InvalidOperationException("Channel means need the tensor's shape.");

    public void Add(ReadOnlySpan<float> values, ReadOnlySpan<long> shape)
    {
        if (shape.Length < 2)
        {
            throw new ArgumentException("Channel means need a tensor of rank 2 or more.", nameof(shape));
        }

        int channels = checked((int)shape[1]);
        long inner = 1;
        for (int d = 2; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        if (_sums.Length == 0)
        {
            (_sums, _counts) = (new double[channels], new long[channels]);
        }
        else if (_sums.Length != channels)
        {
            throw new ArgumentException($"The tensor has {channels} channels, earlier samples {_sums.Length}.", nameof(shape));
        }

        _range.Add(values);
        int length = checked((int)inner);
        for (int start = 0, slice = 0; start < values.Length; start += length, slice++)
        {
            var x = values.Slice(start, length);
            if (TensorPrimitives.IsFiniteAll(x))
            {
                int channel = slice % channels;
                _sums[channel] += TensorPrimitives.Sum(x);
                _counts[channel] += length;
            }
        }
    }

    public TensorRange? Range() => _range.Range();
}
