using System.IO.Compression;
using Google.Protobuf;
using Quantize.Core.Calibration.Data;
using Quantize.Core.Diagnostics;
using Quantize.Core.Onnx;
using static Quantize.Core.Tests.Calibration.CalibrationFixtures;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Tests.Calibration;

public sealed class TensorReaderTests
{
    private static List<CalibrationSample> Read(ModelProto model, string folder, params string[] sources) =>
        [.. new CalibrationDataReader(model, new CalibrationDataOptions { Sources = sources, BaseDirectory = folder }).Read()];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Npy_files_of_every_header_version_read_back_their_values_and_shape(int version)
    {
        var folder = RealModels.ScratchFolder("npy");
        WriteFile(Path.Combine(folder, "s.npy"), Npy("<f4", [1, 4], FloatBytes(1.5f, -2, 3.25f, 0), version));
        var sample = Assert.Single(Read(TestModelCatalog.Identity(1, 4), folder, "s.npy"));
        Assert.Equal([1.5f, -2, 3.25f, 0], Floats(sample.Inputs["x"]));
        Assert.Equal([1L, 4], sample.Inputs["x"].Shape);
    }

    [Fact]
    public void Npy_reads_each_supported_element_type()
    {
        var half = NpyReader.Read(Npy("<f2", [2], [0x00, 0x3C, 0x00, 0xC0]), "h.npy"); // 1.0, -2.0
        Assert.Equal(DataType.Float16, half.ElementType);
        Assert.Equal([0x00, 0x3C, 0x00, 0xC0], half.Data.ToArray());

        var longs = NpyReader.Read(Npy("<i8", [2], [.. BitConverter.GetBytes(7L), .. BitConverter.GetBytes(-3L)]), "l.npy");
        Assert.Equal(DataType.Int64, longs.ElementType);
        Assert.Equal([7L, -3], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(longs.Data.Span).ToArray());

        Assert.Equal(DataType.Int32, NpyReader.Read(Npy("<i4", [1], BitConverter.GetBytes(5)), "i.npy").ElementType);
        Assert.Equal(DataType.Uint8, NpyReader.Read(Npy("|u1", [3], [1, 2, 255]), "u.npy").ElementType);
        Assert.Equal(DataType.Bool, NpyReader.Read(Npy("|b1", [2, 1], [1, 0]), "b.npy").ElementType);
        Assert.Empty(NpyReader.Read(Npy("<f4", [], FloatBytes(2)), "scalar.npy").Shape);
    }

    [Fact]
    public void Npy_rejects_big_endian_fortran_order_and_truncation_naming_the_file()
    {
        Assert.Throws<FormatException>(() => NpyReader.Read(Npy(">f4", [1], FloatBytes(1)), "be.npy"));
        var fortran = Npy("<f4", [2, 2], FloatBytes(1, 2, 3, 4));
        var text = System.Text.Encoding.ASCII.GetString(fortran).Replace("False", "True ", StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => NpyReader.Read(System.Text.Encoding.ASCII.GetBytes(text), "f.npy"));

        var folder = RealModels.ScratchFolder("npy-bad");
        var full = Npy("<f4", [1, 4], FloatBytes(1, 2, 3, 4));
        WriteFile(Path.Combine(folder, "cut.npy"), full[..^3]);
        var error = Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.Identity(1, 4), folder, "cut.npy"));
        Assert.Equal(ErrorCodes.CalibrationFileUnreadable, error.Code);
        Assert.EndsWith("cut.npy", error.FilePath, StringComparison.Ordinal);
        Assert.Contains("cut.npy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Npz_archives_feed_every_input_by_name()
    {
        var folder = RealModels.ScratchFolder("npz");
        var path = Path.Combine(folder, "sample.npz");
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, values) in new[] { ("a", new[] { 1f, 2, 3, 4 }), ("b", new[] { -1f, -2, -3, -4 }) })
            {
                using var stream = archive.CreateEntry(name + ".npy", CompressionLevel.Optimal).Open();
                stream.Write(Npy("<f4", [1, 4], FloatBytes(values)));
            }
        }

        var sample = Assert.Single(Read(TestModelCatalog.TwoInputs(), folder, "."));
        Assert.Equal([1f, 2, 3, 4], Floats(sample.Inputs["a"]));
        Assert.Equal([-1f, -2, -3, -4], Floats(sample.Inputs["b"]));
    }

    [Fact]
    public void Npz_lacking_an_input_is_QNT0015()
    {
        var folder = RealModels.ScratchFolder("npz-missing");
        using (var archive = ZipFile.Open(Path.Combine(folder, "s.npz"), ZipArchiveMode.Create))
        {
            using var stream = archive.CreateEntry("a.npy").Open();
            stream.Write(Npy("<f4", [1, 4], FloatBytes(1, 2, 3, 4)));
        }

        var error = Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.TwoInputs(), folder, "*.npz"));
        Assert.Equal(ErrorCodes.CalibrationInputMissing, error.Code);
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Onnx_test_data_folders_are_one_sample_each_with_input_K_feeding_the_Kth_input()
    {
        var folder = RealModels.ScratchFolder("pb");
        for (int set = 0; set < 2; set++)
        {
            var dir = Path.Combine(folder, $"test_data_set_{set}");
            // raw_data for input 0, the typed float_data field for input 1; unnamed, so position decides.
            WriteFile(Path.Combine(dir, "input_0.pb"), TensorValues.FromFloats(string.Empty, [1, 4], [set, 1, 2, 3]).ToByteArray());
            var typed = new TensorProto { DataType = (int)DataType.Float };
            typed.Dims.AddRange([1, 4]);
            typed.FloatData.AddRange([10f + set, 11, 12, 13]);
            WriteFile(Path.Combine(dir, "input_1.pb"), typed.ToByteArray());
            WriteFile(Path.Combine(dir, "output_0.pb"), TensorValues.FromFloats("y", [1, 4], [0, 0, 0, 0]).ToByteArray());
        }

        var samples = Read(TestModelCatalog.TwoInputs(), folder, ".");
        Assert.Equal(2, samples.Count);
        Assert.Equal([1f, 1, 2, 3], Floats(samples[1].Inputs["a"]));
        Assert.Equal([10f, 11, 12, 13], Floats(samples[0].Inputs["b"]));
        Assert.EndsWith($"test_data_set_0{Path.DirectorySeparatorChar}", samples[0].Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pb_file_that_is_not_a_tensor_is_QNT0017()
    {
        var folder = RealModels.ScratchFolder("pb-bad");
        WriteFile(Path.Combine(folder, "set", "input_0.pb"), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
        var error = Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.Identity(1, 4), folder, "set"));
        Assert.Equal(ErrorCodes.CalibrationFileUnreadable, error.Code);
        Assert.EndsWith("input_0.pb", error.FilePath, StringComparison.Ordinal);
    }

    [Fact]
    public void Sources_resolve_in_sorted_order_through_folders_and_globs_and_the_cap_takes_the_first()
    {
        var folder = RealModels.ScratchFolder("order");
        foreach (var (name, value) in new[] { ("b.npy", 2f), ("a.npy", 1f), ("sub/c.npy", 3f), ("sub/deeper/d.npy", 4f) })
        {
            WriteFile(Path.Combine(folder, name), Npy("<f4", [1, 4], FloatBytes(value, value, value, value)));
        }

        WriteFile(Path.Combine(folder, "notes.md"), [1, 2, 3]);
        var model = TestModelCatalog.Identity(1, 4);
        Assert.Equal([1f, 2, 3, 4], Read(model, folder, ".").Select(s => Floats(s.Inputs["x"])[0]));
        Assert.Equal([3f, 4], Read(model, folder, "sub/**/*.npy").Select(s => Floats(s.Inputs["x"])[0]));
        Assert.Equal([1f, 2], Read(model, folder, "*.npy").Select(s => Floats(s.Inputs["x"])[0]));
        Assert.Equal([1f, 2, 3], Read(model, folder, "sub/c.npy", "*.npy", "a.npy").Select(s => Floats(s.Inputs["x"])[0]));

        var capped = new CalibrationDataReader(model, new CalibrationDataOptions { Sources = ["."], BaseDirectory = folder, MaxSamples = 2 }).Read();
        Assert.Equal([1f, 2], capped.Select(s => Floats(s.Inputs["x"])[0]));
    }

    [Fact]
    public void Symbolic_dimensions_accept_any_size_and_fixed_ones_must_match()
    {
        var folder = RealModels.ScratchFolder("dims");
        WriteFile(Path.Combine(folder, "s.npy"), Npy("<f4", [1, 3], FloatBytes(1, 2, 3)));
        Assert.Single(Read(TestModelCatalog.Identity(1, "n"), folder, "s.npy"));

        var error = Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.Identity(1, 4), folder, "s.npy"));
        Assert.Equal(ErrorCodes.CalibrationInputMismatch, error.Code);
        Assert.Contains("[1, 4]", error.Message, StringComparison.Ordinal);

        WriteFile(Path.Combine(folder, "rank.npy"), Npy("<f4", [3], FloatBytes(1, 2, 3)));
        Assert.Equal(ErrorCodes.CalibrationInputMismatch, Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.Identity(1, "n"), folder, "rank.npy")).Code);

        WriteFile(Path.Combine(folder, "ints.npy"), Npy("<i8", [1, 4], new byte[32]));
        Assert.Equal(ErrorCodes.CalibrationInputMismatch, Assert.Throws<QuantizeException>(() => Read(TestModelCatalog.Identity(1, 4), folder, "ints.npy")).Code);
    }

    [Fact]
    public void Sources_that_match_nothing_are_QNT0014()
    {
        var folder = RealModels.ScratchFolder("empty");
        Directory.CreateDirectory(Path.Combine(folder, "nothing-here"));
        var model = TestModelCatalog.Identity(1, 4);
        Assert.Equal(ErrorCodes.CalibrationDataEmpty, Assert.Throws<QuantizeException>(() => Read(model, folder, "nothing-here")).Code);
        Assert.Equal(ErrorCodes.CalibrationDataEmpty, Assert.Throws<QuantizeException>(() => Read(model, folder, "missing.npy")).Code);
        Assert.Equal(ErrorCodes.CalibrationDataEmpty, Assert.Throws<QuantizeException>(() => Read(model, folder, "**/*.npy")).Code);

        File.WriteAllText(Path.Combine(folder, "blank.txt"), "\n  \n");
        var text = new CalibrationDataOptions { Sources = ["blank.txt"], BaseDirectory = folder, Text = new TextTokenization { VocabularyPath = RealModels.MiniLmVocabPath } };
        Assert.Equal(ErrorCodes.CalibrationDataEmpty, Assert.Throws<QuantizeException>(() => new CalibrationDataReader(TestModelCatalog.BertInputs(), text).Read().ToList()).Code);
    }
}
