using System.Diagnostics;
using Google.Protobuf;
using Quantize.Core.Onnx;
using Quantize.Testing;
using Quantize.Testing.TestModels;

namespace Quantize.Cli.Tests;

/// <summary>
/// The hostile-input corpus, through the real CLI: links that lead out of the model's folder, special files where a
/// file is read or written, outputs that would destroy the input, files whose headers claim more than they hold,
/// response files that include themselves. Each case asserts the exact code, the exit code, the file the error names,
/// that no stack trace or internal error appears, and that the output folder holds nothing afterwards (an existing
/// output stays byte-identical). FIFOs and links are made with the OS's own tools (Unix only, like CI).
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _folder = RealModels.ScratchFolder("hostile-input");
    private readonly string _modelFolder;
    private readonly string _outFolder;

    public HostileInputTests()
    {
        _modelFolder = Directory.CreateDirectory(Path.Combine(_folder, "model")).FullName;
        _outFolder = Directory.CreateDirectory(Path.Combine(_folder, "out")).FullName;
    }

    private string Output => Path.Combine(_outFolder, "result.onnx");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void External_data_through_a_folder_link_to_outside_is_QNT0004_and_nothing_outside_is_read()
    {
        // The secret is big enough for the tensor, so only the path policy can stop it.
        var outside = Directory.CreateDirectory(Path.Combine(_folder, "outside")).FullName;
        File.WriteAllBytes(Path.Combine(outside, "secret.bin"), SecretBytes());
        Symlink(outside, Path.Combine(_modelFolder, "linked"));
        var path = ModelFiles.Write(_modelFolder, "model.onnx", ModelFiles.MlpWithExternalWeight("linked/secret.bin"));

        foreach (var precision in new[] { "int8", "fp16" })
        {
            var run = CliProcess.Run(path, "-o", Output, "--precision", precision);
            AssertFails(run, "QNT0004", path);
            Assert.Contains("linked/secret.bin", run.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void External_data_through_a_link_to_the_system_folder_is_QNT0004()
    {
        Symlink("/etc", Path.Combine(_modelFolder, "etcdir"));
        var path = ModelFiles.Write(_modelFolder, "model.onnx", ModelFiles.MlpWithExternalWeight("etcdir/passwd", length: null));

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "int8"), "QNT0004", path);
        AssertFails(CliProcess.Run("inspect", path), "QNT0004", path, outputFolderEmpty: false);
    }

    [Fact]
    public void Dot_dot_after_a_link_is_resolved_where_the_link_leads_not_where_the_text_points()
    {
        // Textually "sub/../secret.bin" is inside the model folder; the OS resolves ".." after the link, so the file
        // it would open is outside/../secret.bin, next to the model folder.
        var outside = Directory.CreateDirectory(Path.Combine(_folder, "deep", "outside")).FullName;
        File.WriteAllBytes(Path.Combine(_folder, "deep", "secret.bin"), SecretBytes());
        File.WriteAllBytes(Path.Combine(_modelFolder, "secret.bin"), SecretBytes());
        Symlink(outside, Path.Combine(_modelFolder, "sub"));
        var path = ModelFiles.Write(_modelFolder, "model.onnx", ModelFiles.MlpWithExternalWeight("sub/../secret.bin"));

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "int8"), "QNT0004", path);
    }

    [Fact]
    public void External_data_that_is_a_fifo_is_QNT0004_without_hanging()
    {
        MakeFifo(Path.Combine(_modelFolder, "weights.bin"));
        var path = ModelFiles.Write(_modelFolder, "model.onnx", ModelFiles.MlpWithExternalWeight("weights.bin"));

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int8");
        AssertFails(run, "QNT0004", path);
        Assert.Contains("special file", run.Stderr, StringComparison.Ordinal);
        AssertFails(CliProcess.Run("inspect", path), "QNT0004", path, outputFolderEmpty: false);
    }

    [Fact]
    public void A_fifo_as_the_model_is_QNT0004_without_hanging()
    {
        var fifo = Path.Combine(_modelFolder, "model.onnx");
        MakeFifo(fifo);

        AssertFails(CliProcess.Run(fifo, "-o", Output, "--precision", "int8"), "QNT0004", fifo);
    }

    [Fact]
    public void A_folder_as_the_model_says_it_is_a_folder()
    {
        var run = CliProcess.Run(_modelFolder, "-o", Output, "--precision", "int8");

        AssertFails(run, "QNT0001", _modelFolder);
        Assert.Contains("is a folder, not a model file", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_that_is_a_fifo_or_a_device_is_refused_and_left_as_it_was()
    {
        var path = ModelFiles.Write(_modelFolder, "mlp.onnx", TestModelCatalog.Mlp());
        var fifo = Path.Combine(_outFolder, "pipe.onnx");
        MakeFifo(fifo);

        AssertFails(CliProcess.Run(path, "-o", fifo, "--precision", "int8"), "QNT0021", fifo, outputFolderEmpty: false);
        Assert.Equal("fifo", FileType(fifo));
        Assert.Equal(["pipe.onnx"], ModelFiles.Entries(_outFolder));

        // A character device (the null device's numbers), made here rather than pointing at the machine's own /dev.
        var device = Path.Combine(_outFolder, "null.onnx");
        if (Run("mknod", device, "c", "1", "3") == 0)
        {
            AssertFails(CliProcess.Run(path, "-o", device, "--precision", "fp16"), "QNT0021", device, outputFolderEmpty: false);
            Assert.Equal("character special file", FileType(device));
        }
    }

    [Fact]
    public void The_input_itself_a_link_to_it_or_its_external_data_as_output_is_refused_and_the_input_is_unchanged()
    {
        var data = Path.Combine(_modelFolder, "weights.bin");
        File.WriteAllBytes(data, SecretBytes());
        var path = ModelFiles.Write(_modelFolder, "model.onnx", ModelFiles.MlpWithExternalWeight("weights.bin"));
        var before = File.ReadAllBytes(path);
        var link = Path.Combine(_outFolder, "alias.onnx");
        Symlink(path, link);

        AssertFails(CliProcess.Run(path, "-o", path, "--precision", "int8"), "QNT0021", path, outputFolderEmpty: false);
        AssertFails(CliProcess.Run(path, "-o", link, "--precision", "int8"), "QNT0021", link, outputFolderEmpty: false);
        AssertFails(CliProcess.Run(path, "-o", data, "--precision", "fp16"), "QNT0021", data, outputFolderEmpty: false);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(SecretBytes(), File.ReadAllBytes(data));
        Assert.Equal(["model.onnx", "weights.bin"], ModelFiles.Entries(_modelFolder));
    }

    [Fact]
    public void An_empty_or_folder_output_is_refused_before_any_work_and_names_no_staging_folder()
    {
        var path = ModelFiles.Write(_modelFolder, "mlp.onnx", TestModelCatalog.Mlp());

        AssertFails(CliProcess.Run(path, "-o", "", "--precision", "int8"), "QNT0021", path);
        var slash = CliProcess.Run(path, "-o", _outFolder + "/", "--precision", "int8");
        AssertFails(slash, "QNT0021", _outFolder + "/");
        var folder = CliProcess.Run(path, "-o", _outFolder, "--precision", "int8");
        AssertFails(folder, "QNT0021", _outFolder);
        Assert.DoesNotContain(".quantize-", slash.Stderr + folder.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("int8", new long[] { 1_000_000, 1_000_000 })] // a trillion elements claimed by a few bytes
    [InlineData("int4", new long[] { 4_611_686_018_427_387_904, 4 })] // the product overflows int64
    [InlineData("fp16", new long[] { 64, -1 })]
    public void Dimensions_that_claim_more_than_the_tensor_holds_are_QNT0022_naming_the_tensor(string precision, long[] dims)
    {
        var model = TestModelCatalog.Mlp();
        var weight = model.Graph.Initializer.Single(i => i.Name == "fc1.weight");
        weight.Dims.Clear();
        weight.Dims.AddRange(dims);
        var path = ModelFiles.Write(_modelFolder, "claims.onnx", model);

        var run = CliProcess.Run(path, "-o", Output, "--precision", precision);

        AssertFails(run, "QNT0022", path);
        Assert.Contains("'fc1.weight'", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_data_shorter_than_its_dimensions_is_QNT0022()
    {
        var model = TestModelCatalog.Mlp();
        var weight = model.Graph.Initializer.Single(i => i.Name == "fc1.weight");
        var bytes = RawBytes(weight);
        weight.FloatData.Clear();
        weight.RawData = ByteString.CopyFrom(bytes, 0, bytes.Length - 12);
        var path = ModelFiles.Write(_modelFolder, "short.onnx", model);

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "int8"), "QNT0022", path);
    }

    [Theory]
    [InlineData("9223372036854775000", "4096")] // offset near 2^63: offset + length must not wrap around
    [InlineData("0", "9223372036854775807")]
    public void An_external_data_range_past_the_file_is_QNT0005(string offset, string length)
    {
        File.WriteAllBytes(Path.Combine(_modelFolder, "weights.bin"), SecretBytes());
        var model = ModelFiles.MlpWithExternalWeight("weights.bin");
        var weight = model.Graph.Initializer.Single(i => i.Name == "fc1.weight");
        weight.ExternalData.Single(e => e.Key == "offset").Value = offset;
        weight.ExternalData.Single(e => e.Key == "length").Value = length;
        var path = ModelFiles.Write(_modelFolder, "model.onnx", model);

        AssertFails(CliProcess.Run(path, "-o", Output, "--precision", "int8"), "QNT0005", path);
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("fp16")]
    [InlineData("int4")]
    public void A_model_onnx_runtime_rejects_on_input_is_QNT0007_on_the_input_at_every_precision(string precision)
    {
        // An operator no runtime knows: the input itself is unloadable, so blaming the quantized output would be wrong.
        var model = TestModelCatalog.Mlp();
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.example.unknown", Version = 1 });
        var relu = model.Graph.Node.Single(n => n.Name == "relu1");
        relu.OpType = "NoSuchOperator";
        relu.Domain = "com.example.unknown";
        var path = ModelFiles.Write(_modelFolder, "unknown-op.onnx", model);

        var run = CliProcess.Run(path, "-o", Output, "--precision", precision);

        AssertFails(run, "QNT0007", path);
        Assert.DoesNotContain("QNT0011", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(".quantize-", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_file_that_includes_itself_is_a_usage_error_naming_it()
    {
        var rsp = Path.Combine(_folder, "args.rsp");
        File.WriteAllText(rsp, $"--precision int8\n@{rsp}\n");

        var run = CliProcess.Run("@" + rsp);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("includes itself", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(rsp, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.True(run.Stderr.Length < 2000, run.ToString());
    }

    [Fact]
    public void Response_files_nested_too_deep_are_a_usage_error_but_moderate_nesting_works()
    {
        var model = ModelFiles.Write(_modelFolder, "mlp.onnx", TestModelCatalog.Mlp());
        string Chain(string name, int depth, string last)
        {
            for (int i = depth; i >= 1; i--)
            {
                File.WriteAllText(Path.Combine(_folder, $"{name}{i}.rsp"), i == depth ? last : $"@{Path.Combine(_folder, $"{name}{i + 1}.rsp")}");
            }

            return "@" + Path.Combine(_folder, $"{name}1.rsp");
        }

        // Three levels deep, ending in an exclusion that matches nothing: the arguments arrived, QNT0006 says so.
        var ok = CliProcess.Run(Chain("ok", 3, $"\"{model}\" -o \"{Output}\" -p int8 -x NoSuchOp"));
        Assert.True(ok.ExitCode == 1 && ok.Stderr.Contains("QNT0006", StringComparison.Ordinal), ok.ToString());

        var deep = CliProcess.Run(Chain("deep", 12, $"\"{model}\" -o \"{Output}\" -p int8"));
        Assert.True(deep.ExitCode == 2, deep.ToString());
        Assert.Contains("nested more than", deep.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30_000, 30_000)]
    [InlineData(100_000, 100_000)]
    [InlineData(20_000, 20_000)]
    public void An_image_claiming_too_many_pixels_is_QNT0023_naming_the_image(int width, int height)
    {
        var model = ModelFiles.Write(_modelFolder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var photos = Directory.CreateDirectory(Path.Combine(_folder, "photos")).FullName;
        var image = Path.Combine(photos, "huge.png");
        File.WriteAllBytes(image, TestImages.PngClaiming(width, height));

        var run = CliProcess.Run(model, "-o", Output, "--precision", "int8", "--calibration-data", photos);

        AssertFails(run, "QNT0023", image);
        Assert.Contains("megapixel", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_image_is_QNT0017_not_a_gray_sample()
    {
        var model = ModelFiles.Write(_modelFolder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var photos = Directory.CreateDirectory(Path.Combine(_folder, "photos")).FullName;
        var png = TestImages.Png(64, 64);
        var image = Path.Combine(photos, "cut.png");
        File.WriteAllBytes(image, png[..(png.Length * 2 / 3)]);

        var run = CliProcess.Run(model, "-o", Output, "--precision", "int8", "--calibration-data", photos);

        AssertFails(run, "QNT0017", image);
    }

    [Fact]
    public void A_fifo_among_calibration_files_is_QNT0004_without_hanging()
    {
        var model = ModelFiles.Write(_modelFolder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = Directory.CreateDirectory(Path.Combine(_folder, "calib")).FullName;
        var fifo = Path.Combine(data, "sample.npy");
        MakeFifo(fifo);

        AssertFails(CliProcess.Run(model, "-o", Output, "--precision", "int8", "--calibration-data", data), "QNT0004", fifo);
    }

    [Fact]
    [Trait(PassTraits.Requires, PassTraits.Passes)]
    public void All_nan_calibration_data_is_QNT0024()
    {
        var model = ModelFiles.Write(_modelFolder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = CnnData("nan", 4, _ => [.. Enumerable.Repeat(float.NaN, 3 * 16 * 16)]);

        AssertFails(CliProcess.Run(model, "-o", Output, "--precision", "int8", "--calibration-data", data), "QNT0024", model);
    }

    [Fact]
    [Trait(PassTraits.Requires, PassTraits.Passes)]
    public void Non_finite_int4_weights_stay_float_with_a_warning_naming_the_tensor()
    {
        var model = TestModelCatalog.Mlp();
        var weight = model.Graph.Initializer.Single(i => i.Name == "fc1.weight");
        var values = RawBytes(weight);
        BitConverter.TryWriteBytes(values.AsSpan(40, 4), float.NaN);
        BitConverter.TryWriteBytes(values.AsSpan(80, 4), float.PositiveInfinity);
        weight.FloatData.Clear();
        weight.RawData = ByteString.CopyFrom(values);
        var path = ModelFiles.Write(_modelFolder, "nan.onnx", model);

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int4", "--block-size", "16");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{path}(1,1): warning QNT1008: Weight 'fc1.weight' holds NaN or infinite values; it stays float.", run.Stdout, StringComparison.Ordinal);
        var (written, _) = ModelReader.Load(Output);
        var kept = written.Graph.Initializer.Single(i => i.Name == "fc1.weight");
        Assert.Equal((int)TensorProto.Types.DataType.Float, kept.DataType);
        Assert.True(float.IsNaN(kept.ReadFloats()[10]));
        Assert.Contains(written.Graph.Node, n => n.OpType == "MatMulNBits"); // fc2 is still quantized
    }

    [Fact]
    [Trait(PassTraits.Requires, PassTraits.Passes)]
    public void A_tampered_ranges_cache_is_a_warning_and_the_model_is_calibrated_again()
    {
        var model = ModelFiles.Write(_modelFolder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = CnnData("calib", 16, CnnSample);

        var ranges = Path.Combine(_folder, "ranges.json");
        var first = CliProcess.Run(model, "-o", Output, "-p", "int8", "--calibration-data", data, "--ranges-cache", ranges);
        Assert.True(first.ExitCode == 0, first.ToString());
        var calibrated = File.ReadAllBytes(Output);
        var text = File.ReadAllText(ranges);
        int max = text.IndexOf("\"max\": ", StringComparison.Ordinal) + "\"max\": ".Length;
        int end = text.IndexOfAny(['\n', ','], max);
        File.WriteAllText(ranges, text[..max] + "1e38" + text[end..]);

        var second = CliProcess.Run(model, "-o", Output, "-p", "int8", "--calibration-data", data, "--ranges-cache", ranges);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains($"{model}(1,1): warning QNT1007: The saved calibration ranges '{ranges}' were ignored", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("Calibration: MinMax, 12 samples", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(calibrated, File.ReadAllBytes(Output));
        Assert.Equal(text, File.ReadAllText(ranges));
    }

    [Fact]
    public void A_ranges_cache_that_is_a_folder_is_refused_and_leaves_no_temporary_file()
    {
        var model = ModelFiles.Write(_modelFolder, "cnn.onnx", TestModelCatalog.SmallCnn());
        var data = CnnData("calib", 2, CnnSample);

        var rangesFolder = Directory.CreateDirectory(Path.Combine(_folder, "ranges")).FullName;
        var run = CliProcess.Run(model, "-o", Output, "-p", "int8", "--calibration-data", data, "--ranges-cache", rangesFolder);

        AssertFails(run, "QNT0021", rangesFolder);
        Assert.Empty(Directory.GetFileSystemEntries(rangesFolder));
        Assert.DoesNotContain(Directory.GetFiles(_folder), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Four_clis_writing_one_output_all_succeed_and_leave_one_valid_model()
    {
        var path = ModelFiles.Write(_modelFolder, "mlp.onnx", TestModelCatalog.Mlp());
        var runs = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4)
            .Select(_ => CliProcess.Run(path, "-o", Output, "--precision", "int8", "--quiet")).ToList();

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.ToString()));
        Assert.Equal(["result.onnx"], ModelFiles.Entries(_outFolder));
        var (model, _) = ModelReader.Load(Output);
        Assert.Contains(model.Graph.Node, n => n.OpType == "MatMulInteger" || n.OpType == "DynamicQuantizeLinear");
    }

    [Fact]
    public void Staging_left_by_a_dead_process_is_removed_by_the_next_run_in_that_folder()
    {
        var path = ModelFiles.Write(_modelFolder, "mlp.onnx", TestModelCatalog.Mlp());
        // What a killed run leaves: its staging folder, named after a process that no longer exists.
        using var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        dead.WaitForExit();
        var leftover = Path.Combine(_outFolder, $".quantize-check-{dead.Id}@{Environment.MachineName}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(leftover);
        File.WriteAllBytes(Path.Combine(leftover, "result.onnx"), new byte[1000]);
        // One of a live process (this test host) stays.
        var live = Path.Combine(_outFolder, $".quantize-check-{Environment.ProcessId}@{Environment.MachineName}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(live);

        var run = CliProcess.Run(path, "-o", Output, "--precision", "int8");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(Directory.Exists(leftover));
        Assert.True(Directory.Exists(live));
    }

    private static byte[] SecretBytes() => [.. Enumerable.Range(0, 64 * 128 * 4).Select(i => (byte)(i * 7))];

    private static byte[] RawBytes(TensorProto weight) =>
        weight.RawData.Length > 0 ? weight.RawData.ToByteArray() : [.. weight.FloatData.SelectMany(BitConverter.GetBytes)];

    /// <summary>A folder of <paramref name="count"/> .npy samples for the small CNN's [1, 3, 16, 16] input.</summary>
    private string CnnData(string name, int count, Func<int, float[]> values)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        for (int i = 0; i < count; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, $"s{i:D2}.npy"), NpyWriter.Floats(values(i), [1, 3, 16, 16]));
        }

        return folder;
    }

    private static float[] CnnSample(int seed) =>
        [.. Enumerable.Range(0, 3 * 16 * 16).Select(i => MathF.Sin((i * 0.37f) + (seed * 1.9f)))];

    private void AssertFails(CliRun run, string code, string fileNamed, bool outputFolderEmpty = true)
    {
        Assert.True(run.ExitCode == 1, run.ToString());
        var prefix = $"{fileNamed}(1,1): error {code}: ";
        var lines = run.Stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, $"expected one '{prefix}' line\n{run}");
        Assert.DoesNotContain("QNT9999", run.Stderr + run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        if (outputFolderEmpty)
        {
            Assert.Empty(ModelFiles.Entries(_outFolder));
        }
    }

    private static void Symlink(string target, string link) => File.CreateSymbolicLink(link, target);

    private static void MakeFifo(string path) => Assert.Equal(0, Run("mkfifo", path));

    private static string FileType(string path)
    {
        var start = new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return text;
    }

    private static int Run(string tool, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { UseShellExecute = false, RedirectStandardError = true })!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }
}
