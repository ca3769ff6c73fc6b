using ImageFeatures;

// ResNet-18, quantized to FP16 during the build (inputs and outputs stay float32), embedded in this assembly.
using var model = new ResNet18();
Console.WriteLine($"{ResNet18.Model.Precision} model: {ResNet18.Model.BytesBefore / 1048576.0:0.0} MiB float -> {ResNet18.Model.BytesAfter / 1048576.0:0.0} MiB embedded");

// Three synthetic 224x224 RGB images, ImageNet-normalized: two similar gradients and a checkerboard.
var gradient = Image((x, y, c) => (x + y + (c * 40)) / 600f);
var shiftedGradient = Image((x, y, c) => (x + y + (c * 40) + 20) / 620f);
var checkerboard = Image((x, y, c) => ((x / 28) + (y / 28)) % 2 == 0 ? 0.9f : 0.1f);

var a = Features(gradient);
var b = Features(shiftedGradient);
var c = Features(checkerboard);
Console.WriteLine($"{a.Length} features per image");
Console.WriteLine($"gradient ~ shifted gradient: {Cosine(a, b):0.000}");
Console.WriteLine($"gradient ~ checkerboard:     {Cosine(a, c):0.000}");

float[] Features(float[] image)
{
    using var result = model.Run(image);
    return result.Pooling395Output0.ToArray();
}

static float[] Image(Func<int, int, int, float> pixel)
{
    float[] mean = [0.485f, 0.456f, 0.406f];
    float[] std = [0.229f, 0.224f, 0.225f];
    var data = new float[3 * 224 * 224];
    for (int c = 0; c < 3; c++)
    {
        for (int y = 0; y < 224; y++)
        {
            for (int x = 0; x < 224; x++)
            {
                data[(c * 224 * 224) + (y * 224) + x] = (Math.Clamp(pixel(x, y, c), 0f, 1f) - mean[c]) / std[c];
            }
        }
    }

    return data;
}

static double Cosine(float[] a, float[] b)
{
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.Length; i++)
    {
        dot += (double)a[i] * b[i];
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
    }

    return dot / Math.Sqrt(na * nb);
}
