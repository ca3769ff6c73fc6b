using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Quantize.Core.Calibration.Data;

namespace Quantize.Core.Calibration;

/// <summary>
/// Groups calibration samples into batches ONNX Runtime runs in one call: samples whose inputs have the same
/// shapes are concatenated along axis 0. Samples of different shapes (sentences of different lengths) wait in
/// separate groups, so no padding is ever added (padding tokens would be observed as activations). Order does
/// not matter to the statistics (MinMax and the power-of-two histograms are order-independent), so a group is
/// run when it is full; the number of waiting samples is capped so memory stays bounded whatever the set.
/// </summary>
internal sealed class SampleBatcher(int batchSize)
{
    private readonly Dictionary<string, List<CalibrationSample>> _groups = new(StringComparer.Ordinal);
    private int _waiting;

    /// <summary>Samples per batch (1: every sample runs alone).</summary>
    public int BatchSize { get; set; } = batchSize;

    /// <summary>Adds a sample; returns a batch to run when one is ready, otherwise null.</summary>
    public IReadOnlyList<CalibrationSample>? Add(CalibrationSample sample)
    {
        var key = ShapeKey(sample);
        if (!_groups.TryGetValue(key, out var group))
        {
            group = [];
            _groups[key] = group;
        }

        group.Add(sample);
        _waiting++;
        if (group.Count >= BatchSize)
        {
            return Take(key);
        }

        // Too many partial groups (many distinct shapes): run the largest rather than hold more samples.
        return _waiting >= 4 * BatchSize ? Take(_groups.MaxBy(g => g.Value.Count).Key) : null;
    }

    /// <summary>Every waiting group, in ordinal key order (deterministic), emptying the batcher.</summary>
    public IEnumerable<IReadOnlyList<CalibrationSample>> Drain()
    {
        foreach (var key in _groups.Keys.Order(StringComparer.Ordinal).ToList())
        {
            yield return Take(key);
        }
    }

    /// <summary>
    /// One ORT value per input (in <paramref name="inputNames"/> order) holding the batch's tensors one after
    /// another along axis 0: a single copy from each sample's bytes into ORT-owned memory.
    /// </summary>
    public static OrtValue[] Concatenate(IReadOnlyList<CalibrationSample> batch, IReadOnlyList<string> inputNames)
    {
        var values = new OrtValue[inputNames.Count];
        try
        {
            for (int i = 0; i < values.Length; i++)
            {
                var first = batch[0].Inputs[inputNames[i]];
                if (batch.Count == 1)
                {
                    values[i] = first.ToOrtValue();
                    continue;
                }

                var shape = first.Shape.ToArray();
                shape[0] = batch.Sum(s => s.Inputs[inputNames[i]].Shape[0]);
                values[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (TensorElementType)(int)first.ElementType, shape);
                var target = values[i].GetTensorMutableRawData();
                foreach (var sample in batch)
                {
                    var data = sample.Inputs[inputNames[i]].Data.Span;
                    data.CopyTo(target);
                    target = target[data.Length..];
                }
            }

            return values;
        }
        catch
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }

            throw;
        }
    }

    private List<CalibrationSample> Take(string key)
    {
        var group = _groups[key];
        _groups.Remove(key);
        _waiting -= group.Count;
        return group;
    }

    private static string ShapeKey(CalibrationSample sample) =>
        string.Join(";", sample.Inputs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + ":" + string.Join(",", p.Value.Shape)));
}
