using Google.Protobuf;
using Quantize.Core.Calibration.Data;
using Quantize.Testing.TestModels;

namespace Quantize.Testing;

/// <summary>Files for the sensitivity and mixed-precision tests: the fragile model with .npy samples, MiniLM with real sentences.</summary>
public static class SensitivityFixtures
{
    /// <summary>Writes <see cref="TestModelCatalog.FragileMlp"/> and <paramref name="samples"/> .npy inputs into a fresh folder.</summary>
    /// <remarks><paramref name="boost"/> as in <see cref="TestModelCatalog.FragileMlp"/>: 1e6 builds a model that INT8 collapses.</remarks>
    public static (string ModelPath, CalibrationDataOptions Data) FragileMlp(string name, int samples = 16, float boost = 1000f)
    {
        var folder = RealModels.ScratchFolder(name);
        var model = Path.Combine(folder, "fragile.onnx");
        File.WriteAllBytes(model, TestModelCatalog.FragileMlp(boost: boost).ToByteArray());
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(data);
        var values = TestModelCatalog.FragileMlpSamples(samples);
        for (int i = 0; i < values.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(data, $"x{i:D3}.npy"), NpyWriter.Floats(values[i], [1, 32]));
        }

        return (model, new CalibrationDataOptions { Sources = ["data/*.npy"], BaseDirectory = folder });
    }

    /// <summary>The first <paramref name="count"/> real sentences as a text data file for MiniLM (one sample per line).</summary>
    public static CalibrationDataOptions MiniLmSentences(string folder, int count, int skip = 0)
    {
        var file = Path.Combine(folder, "sentences.txt");
        File.WriteAllLines(file, Sentences.All.Skip(skip).Take(count));
        return new CalibrationDataOptions
        {
            Sources = [file],
            Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath },
        };
    }
}
