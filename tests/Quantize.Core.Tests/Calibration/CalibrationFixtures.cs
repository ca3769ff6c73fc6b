using System.Buffers.Binary;
using System.Text;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Onnx;

namespace Quantize.Core.Tests.Calibration;

/// <summary>Test data written independently of the readers under test, and an ORT reference run.</summary>
internal static class CalibrationFixtures
{
    /// <summary>A .npy file built byte by byte from the published format (v1: 2-byte header length; v2: 4-byte).</summary>
    public static byte[] Npy(string descr, long[] shape, byte[] data, int version = 1)
    {
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int prefix = version == 1 ? 10 : 12;
        int padded = (prefix + dict.Length + 1 + 63) / 64 * 64; // header ends with '\n', total aligned to 64
        var header = dict.PadRight(padded - prefix - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)version);
        bytes.Add(0);
        var length = new byte[version == 1 ? 2 : 4];
        if (version == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        }

        bytes.AddRange(length);
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(data);
        return [.. bytes];
    }

    public static byte[] FloatBytes(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        }

        return bytes;
    }

    public static float[] Floats(CalibrationTensor tensor) => tensor.FloatSpan.ToArray();

    /// <summary>Seeded N(mean, sd) values (Box–Muller).</summary>
    public static float[] Gaussian(int count, int seed, double mean = 0, double sd = 1)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1 - random.NextDouble();
            double u2 = random.NextDouble();
            values[i] = (float)(mean + (sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)));
        }

        return values;
    }

    public static float[] Uniform(int count, int seed, float low, float high)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(low + ((high - low) * random.NextDouble())))];
    }

    public static CalibrationSample Sample(string name, float[] values, params long[] shape) =>
        new($"sample-{name}", new Dictionary<string, CalibrationTensor> { [name] = CalibrationTensor.FromFloats(values, shape) });

    /// <summary>
    /// The reference: ORT runs a copy of the float model in which <paramref name="tensors"/> are declared
    /// graph outputs (written here, not by the calibrator), returning each tensor's values.
    /// </summary>
    public static Dictionary<string, float[]> RunObserving(ModelProto model, IEnumerable<string> tensors, string input, float[] values, long[] shape)
    {
        var copy = model.Clone();
        foreach (var name in tensors.Where(t => copy.Graph.Output.All(o => o.Name != t) && copy.Graph.Input.All(i => i.Name != t)))
        {
            copy.Graph.Output.Add(new ValueInfoProto { Name = name });
        }

        return OrtRunner.Run(copy, new Dictionary<string, OrtRunner.Input> { [input] = OrtRunner.Floats(values, shape) });
    }

    public static void WriteFile(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
