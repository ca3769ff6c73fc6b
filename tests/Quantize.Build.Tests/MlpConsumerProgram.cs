using System.Globalization;
using Quantize.Testing;

namespace Quantize.Build.Tests;

/// <summary>
/// The consumer code that runs the catalog MLP through its generated class (<c>Consumer.Models.Mlp</c>) on a fixed
/// input and prints <c>y</c>, and the checks that read it back: one place for the input the app and the test agree on.
/// </summary>
internal static class MlpConsumerProgram
{
    /// <summary>Program.cs statements: run the wrapper on <see cref="Input"/> (batch 2) and print "y v0 v1 ...".</summary>
    public const string Statements = """
        var x = new float[2 * 64];
        for (int i = 0; i < x.Length; i++) { x[i] = MathF.Sin(i * 0.37f); }
        using var mlp = new Consumer.Models.Mlp();
        using var result = mlp.Run(x, batch: 2);
        Console.WriteLine("shape " + string.Join("x", result.YShape.ToArray()));
        Console.WriteLine("y " + string.Join(" ", result.Y.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        """;

    /// <summary>The input the program feeds, [2, 64].</summary>
    public static float[] Input => [.. Enumerable.Range(0, 2 * 64).Select(i => MathF.Sin(i * 0.37f))];

    /// <summary>The printed <c>y</c> values.</summary>
    public static float[] ParseY(string output) =>
        [.. output.Split('\n').Single(l => l.StartsWith("y ", StringComparison.Ordinal))[2..].Trim().Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture))];

    /// <summary>What ONNX Runtime computes for <see cref="Input"/> on the model at <paramref name="modelPath"/>.</summary>
    public static float[] Expected(string modelPath) =>
        OrtRunner.Run(modelPath, new Dictionary<string, OrtRunner.Input> { ["x"] = OrtRunner.Floats(Input, 2, 64) })["y"];
}
