using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Quantize.Core.Calibration;
using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Int8Static;

/// <summary>
/// Calibration for tests, independent of the product's calibrator: runs the float model in ONNX Runtime with
/// every float32 tensor (graph inputs and node outputs) as an extra output, and takes the exact min and
/// max over all the given inputs.
/// </summary>
internal static class ExactRanges
{
    public static ActivationRanges Compute(ModelProto model, IEnumerable<IReadOnlyDictionary<string, OrtRunner.Input>> samples)
    {
        var probe = model.Clone();
        var folder = RealModels.ScratchFolder("ranges");
        var typesPath = Path.Combine(folder, "probe.onnx");
        File.WriteAllBytes(typesPath, probe.ToByteArray());
        var types = RuntimeTypeInference.Infer(probe, typesPath);
        var declared = probe.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var floats = new List<string>();
        var initializers = probe.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var graphInputs = probe.Graph.Input.Select(i => i.Name).Where(n => !initializers.Contains(n)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in graphInputs.Concat(probe.Graph.Node.Where(n => n.OpType != "Constant").SelectMany(n => n.Output)))
        {
            if (name.Length == 0 || !types.TryGetValue(name, out var type) || type != DataType.Float || floats.Contains(name))
            {
                continue;
            }

            floats.Add(name);
            // Graph inputs are read from the sample itself.
            if (!graphInputs.Contains(name) && declared.Add(name))
            {
                probe.Graph.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)DataType.Float } } });
            }
        }

        var min = new Dictionary<string, float>(StringComparer.Ordinal);
        var max = new Dictionary<string, float>(StringComparer.Ordinal);
        File.WriteAllBytes(typesPath, probe.ToByteArray());
        using (var session = OrtRunner.Open(typesPath))
        {
            foreach (var sample in samples)
            {
                var outputs = OrtRunner.Run(session, sample);
                foreach (var name in floats)
                {
                    var values = sample.TryGetValue(name, out var i) ? (float[])i.Data : outputs.GetValueOrDefault(name);
                    if (values is null || values.Length == 0)
                    {
                        continue;
                    }

                    float lo = values.Min(), hi = values.Max();
                    min[name] = min.TryGetValue(name, out var m) ? Math.Min(m, lo) : lo;
                    max[name] = max.TryGetValue(name, out var x) ? Math.Max(x, hi) : hi;
                }
            }
        }

        return new ActivationRanges(min.Keys.ToDictionary(n => n, n => new TensorRange(min[n], max[n]), StringComparer.Ordinal), "exact MinMax (test)");
    }

    /// <summary><paramref name="count"/> deterministic random input sets for <paramref name="model"/>.</summary>
    public static List<Dictionary<string, OrtRunner.Input>> RandomSamples(ModelProto model, int count, int seed = 100) =>
        [.. Enumerable.Range(0, count).Select(i => ModelInputs.For(model, seed + i))];
}
