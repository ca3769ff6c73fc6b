using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;
using Quantize.Testing;

namespace Quantize.Benchmarks;

/// <summary>
/// Calibration data for the calibration benchmarks, all from real inputs: ResNet-18 samples are the real
/// photographs (<see cref="RealPhotos"/>) preprocessed as ML.NET feeds the model, and beyond the 18 photos,
/// deterministic variants of them (mirrored, shifted by up to 16 pixels with edge replication, brightness
/// ×0.9–1.1), written as .npy files to a scratch folder so the benchmark streams them from disk as a user's
/// set would be. MiniLM samples are the real sentences of <see cref="Sentences"/>.
/// </summary>
internal static class CalibrationSamples
{
    private const int Side = 224;

    /// <summary>A folder holding <paramref name="count"/> ResNet-18 input tensors as sample00000.npy, sample00001.npy, ...</summary>
    public static string ResNet18Folder(int count)
    {
        var folder = Path.Combine(Path.GetTempPath(), "quantize-bench-calibration", $"resnet18-{count}");
        if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.npy").Length == count)
        {
            return folder;
        }

        var staging = folder + "." + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        var (model, _) = ModelReader.Load(RealModels.ResNet18Path);
        var photos = new CalibrationDataReader(model, new CalibrationDataOptions { Sources = RealPhotos.All, Image = ResNet18Preprocessing.MlNet })
            .Read().Select(s => s.Inputs.Single().Value.FloatSpan.ToArray()).ToList();
        for (int i = 0; i < count; i++)
        {
            var values = Variant(photos[i % photos.Count], i / photos.Count);
            File.WriteAllBytes(Path.Combine(staging, $"sample{i:D5}.npy"), NpyWriter.Floats(values, [1, 3, Side, Side]));
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(staging, folder);
        return folder;
    }

    /// <summary>MiniLM calibration text: the real sentences, one per line, repeated to <paramref name="count"/> lines.</summary>
    public static string MiniLmText(int count)
    {
        var folder = Path.Combine(Path.GetTempPath(), "quantize-bench-calibration");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"sentences-{count}.txt");
        File.WriteAllLines(path, Enumerable.Range(0, count).Select(i => Sentences.All[i % Sentences.All.Count]));
        return path;
    }

    /// <summary>Variant 0 is the photo itself; others mirror, shift and scale it (NCHW, mean already subtracted).</summary>
    private static float[] Variant(float[] image, int variant)
    {
        if (variant == 0)
        {
            return image;
        }

        bool mirror = variant % 2 == 1;
        int dx = ((variant * 7) % 33) - 16;
        int dy = ((variant * 13) % 33) - 16;
        float gain = 0.9f + (0.05f * (variant % 5));
        var result = new float[image.Length];
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < Side; y++)
            {
                int sy = Math.Clamp(y + dy, 0, Side - 1);
                for (int x = 0; x < Side; x++)
                {
                    int sx = Math.Clamp((mirror ? Side - 1 - x : x) + dx, 0, Side - 1);
                    result[(((c * Side) + y) * Side) + x] = gain * image[(((c * Side) + sy) * Side) + sx];
                }
            }
        }

        return result;
    }
}
