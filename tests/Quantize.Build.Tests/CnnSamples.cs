using Quantize.Testing;

namespace Quantize.Build.Tests;

/// <summary>Deterministic image-like .npy samples for TestModelCatalog.SmallCnn ([1, 3, 16, 16]).</summary>
internal static class CnnSamples
{
    public static readonly long[] Shape = [1, 3, 16, 16];

    /// <summary>Writes sample <paramref name="seed"/> as a .npy file.</summary>
    public static void Write(string path, int seed) => File.WriteAllBytes(path, NpyWriter.Floats(Sample(seed), Shape));

    /// <summary>A smooth deterministic image-like sample in [-1, 1].</summary>
    public static float[] Sample(int seed)
    {
        var values = new float[3 * 16 * 16];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = MathF.Sin((i * 0.13f) + (seed * 0.7f)) * MathF.Cos(i * 0.029f * (1 + (seed % 3)));
        }

        return values;
    }
}
