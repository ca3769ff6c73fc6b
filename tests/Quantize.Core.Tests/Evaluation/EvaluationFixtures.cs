using Google.Protobuf;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Evaluation;

/// <summary>Catalog models written to a scratch folder, with seeded .npy sample folders for them.</summary>
internal static class EvaluationFixtures
{
    public static string WriteModel(string folder, string name, ModelProto model)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    /// <summary>
    /// <paramref name="count"/> files 00.npy, 01.npy... of shape <paramref name="shape"/> with seeded values in
    /// [−scale, scale]; files listed in <paramref name="spikes"/> hold one element of 100 (a range the
    /// calibrator must not see when those files are held out).
    /// </summary>
    public static string WriteSamples(string folder, string name, int count, long[] shape, float scale = 1, params int[] spikes)
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
        int elements = (int)shape.Aggregate(1L, (a, d) => a * d);
        for (int i = 0; i < count; i++)
        {
            var random = new Random(1000 + i);
            var values = Enumerable.Range(0, elements).Select(_ => (float)((random.NextDouble() * 2) - 1) * scale).ToArray();
            if (spikes.Contains(i))
            {
                values[0] = 100;
            }

            File.WriteAllBytes(Path.Combine(data, $"{i:D2}.npy"), NpyWriter.Floats(values, shape));
        }

        return data;
    }

    public static List<CalibrationSample> Read(string modelPath, CalibrationDataOptions data) =>
        [.. new CalibrationDataReader(ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath)), data).Read()];
}
