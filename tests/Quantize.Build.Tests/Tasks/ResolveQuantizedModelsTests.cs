using Google.Protobuf;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Quantize.Build.Tasks;
using Quantize.Testing.TestModels;
using Xunit;

namespace Quantize.Build.Tests.Tasks;

/// <summary>
/// ResolveQuantizedModels on its own, with a recording engine: item validation (QNT0001/0003/0013), defaults, and the
/// staleness rules of real and design-time builds, with file times set explicitly rather than waited for.
/// </summary>
public sealed class ResolveQuantizedModelsTests : IDisposable
{
    private static readonly DateTime Then = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly string[] Engine = ["Precision", "BlockSize"];

    private readonly string _project = Directory.CreateTempSubdirectory("quantize-resolve-").FullName;

    public ResolveQuantizedModelsTests()
    {
        Directory.CreateDirectory(Path.Combine(_project, "models"));
        File.WriteAllBytes(Path.Combine(_project, "models", "all-MiniLM-L6-v2.onnx"), TestModelCatalog.Mlp().ToByteArray());
        File.SetLastWriteTimeUtc(Path.Combine(_project, "models", "all-MiniLM-L6-v2.onnx"), Then);
    }

    private string OutputDirectory => Path.Combine(_project, "obj", "quantize");

    [Fact]
    public void Defaults_name_the_class_after_the_file_and_put_every_output_under_obj()
    {
        var (task, engine) = Task(Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "int8"), ("Namespace", "App")));

        Assert.True(task.Execute(), string.Join("\n", engine.Errors.Select(e => e.Message)));

        var item = Assert.Single(task.ResolvedModels);
        Assert.Equal("Int8", item.GetMetadata("Precision"));
        Assert.Equal("AllMiniLML6V2", item.GetMetadata("ClassName"));
        Assert.Equal("App.AllMiniLML6V2.onnx", item.GetMetadata("LogicalName"));
        Assert.Equal("true", item.GetMetadata("Embed"));
        Assert.Equal(Path.Combine(OutputDirectory, "App.AllMiniLML6V2.onnx"), item.GetMetadata("OutputModel"));
        Assert.True(File.Exists(item.GetMetadata("StampFile")));
        Assert.Single(task.StaleModels);
    }

    [Theory]
    [InlineData("", false, "true")]
    [InlineData("", true, "false")]
    [InlineData("true", true, "true")]
    [InlineData("false", false, "false")]
    public void Embed_defaults_to_false_only_for_a_source_past_1_GiB_with_its_external_data(string embed, bool large, string expected)
    {
        if (large)
        {
            // Sparse: the length is what counts, and nothing is written.
            using var data = File.Create(Path.Combine(_project, "models", "all-MiniLM-L6-v2.onnx.data"));
            data.SetLength(1L << 30); // with the model file itself, just past 1 GiB
        }

        var (task, engine) = Task(Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "int4"), ("Namespace", "App"), ("Embed", embed)));

        Assert.True(task.Execute(), string.Join("\n", engine.Errors.Select(e => e.Message)));
        Assert.Equal(expected, Assert.Single(task.ResolvedModels).GetMetadata("Embed"));
    }

    [Theory]
    [InlineData("", "App", "QNT0003", "has no Precision")]
    [InlineData("Int3", "App", "QNT0003", "Unknown precision 'Int3'")]
    [InlineData("Int8", "event", "QNT0013", "not a C# keyword")]
    [InlineData("Int8", "My App", "QNT0013", "dotted C# name")]
    public void A_malformed_item_is_an_error_on_its_model_file(string precision, string ns, string code, string says)
    {
        var (task, engine) = Task(Item("models/all-MiniLM-L6-v2.onnx", ("Precision", precision), ("Namespace", ns)));

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(Path.Combine(_project, "models", "all-MiniLM-L6-v2.onnx"), error.File);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        Assert.Empty(task.ResolvedModels);
    }

    [Fact]
    public void A_keyword_class_name_and_a_missing_model_and_a_duplicate_class_are_refused_before_any_worker()
    {
        var (task, engine) = Task(
            Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "Int8"), ("ClassName", "event")),
            Item("models/missing.onnx", ("Precision", "Int8")),
            Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "Fp16"), ("ClassName", "Encoder")),
            Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "Int4"), ("ClassName", "Encoder")));

        Assert.False(task.Execute());

        Assert.Equal(["QNT0013", "QNT0001", "QNT0013"], engine.Errors.Select(e => e.Code));
        Assert.Contains("both generate the class 'Encoder'", engine.Errors[2].Message, StringComparison.Ordinal);
        Assert.Equal("Fp16", Assert.Single(task.ResolvedModels).GetMetadata("Precision"));
    }

    [Fact]
    public void A_model_is_stale_until_its_outputs_are_newer_than_its_inputs_and_again_when_an_input_or_setting_changes()
    {
        var item = Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "Int8"), ("Namespace", "App"), ("BlockSize", "32"));
        var first = Resolve(item);
        Assert.Single(first.StaleModels);

        var resolved = first.ResolvedModels[0];
        File.SetLastWriteTimeUtc(resolved.GetMetadata("StampFile"), Then);
        MakeOutputs(resolved, Then.AddMinutes(1));
        Assert.Empty(Resolve(item).StaleModels);

        // The model edited after the last run.
        File.SetLastWriteTimeUtc(resolved.GetMetadata("FullSource"), Then.AddMinutes(2));
        Assert.Single(Resolve(item).StaleModels);
        MakeOutputs(resolved, Then.AddMinutes(3));
        Assert.Empty(Resolve(item).StaleModels);

        // A setting that shapes the output rewrites the stamp (now), which is newer than the outputs.
        var changed = Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "Int8"), ("Namespace", "App"), ("BlockSize", "64"));
        Assert.Single(Resolve(changed).StaleModels);

        // An output gone.
        MakeOutputs(resolved, DateTime.UtcNow.AddMinutes(1));
        Assert.Empty(Resolve(changed).StaleModels);
        File.Delete(resolved.GetMetadata("OutputModel"));
        Assert.Single(Resolve(changed).StaleModels);
    }

    [Fact]
    public void A_calibration_file_newer_than_the_last_run_or_gone_makes_the_model_stale()
    {
        var item = Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "Int8"), ("Namespace", "App"));
        var resolved = Resolve(item).ResolvedModels[0];
        File.SetLastWriteTimeUtc(resolved.GetMetadata("StampFile"), Then);
        MakeOutputs(resolved, Then.AddMinutes(1));
        var sample = Path.Combine(_project, "calib.npy");
        File.WriteAllText(sample, "x");
        File.SetLastWriteTimeUtc(sample, Then);
        File.WriteAllText(resolved.GetMetadata("DependencyFile"), sample + "\n");
        Assert.Empty(Resolve(item).StaleModels);

        File.SetLastWriteTimeUtc(sample, Then.AddMinutes(5));
        Assert.Single(Resolve(item).StaleModels);
        File.Delete(sample);
        Assert.Single(Resolve(item).StaleModels);

        // Design-time builds ignore calibration data: their manifest does not depend on it.
        Assert.Empty(Resolve(item, designTime: true).StaleModels);
    }

    [Fact]
    public void Design_time_builds_keep_a_real_builds_manifest_and_write_one_only_when_none_or_an_outdated_one_exists()
    {
        var item = Item("models/all-MiniLM-L6-v2.onnx", ("Precision", "Int8"), ("Namespace", "App"));
        var resolved = Resolve(item, designTime: true).ResolvedModels[0];
        Assert.Single(Resolve(item, designTime: true).StaleModels);
        File.SetLastWriteTimeUtc(resolved.GetMetadata("StampFile"), Then);

        // A manifest but no real build yet, written after the inputs: the design-time build has nothing to do.
        Write(resolved.GetMetadata("Manifest"), Then.AddMinutes(1));
        Assert.Empty(Resolve(item, designTime: true).StaleModels);
        Assert.Single(Resolve(item).StaleModels);

        // The model edited after that manifest: the IDE's manifest is rewritten.
        File.SetLastWriteTimeUtc(resolved.GetMetadata("FullSource"), Then.AddMinutes(2));
        Assert.Single(Resolve(item, designTime: true).StaleModels);
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_project, recursive: true);

    private static TaskItem Item(string spec, params (string Name, string Value)[] metadata)
    {
        var item = new TaskItem(spec);
        foreach (var (name, value) in metadata)
        {
            item.SetMetadata(name, value);
        }

        return item;
    }

    private (ResolveQuantizedModels Task, RecordingBuildEngine Engine) Task(params ITaskItem[] items)
    {
        var engine = new RecordingBuildEngine(Path.Combine(_project, "App.csproj"));
        var task = new ResolveQuantizedModels
        {
            BuildEngine = engine,
            Models = items,
            ProjectDirectory = _project,
            OutputDirectory = OutputDirectory,
            CacheDirectory = Path.Combine(_project, "obj", "quantize-cache"),
            EngineMetadataNames = Engine,
        };
        return (task, engine);
    }

    private ResolveQuantizedModels Resolve(ITaskItem item, bool designTime = false)
    {
        var (task, engine) = Task(item);
        task.DesignTime = designTime;
        Assert.True(task.Execute(), string.Join("\n", engine.Errors.Select(e => e.Message)));
        return task;
    }

    private static void MakeOutputs(ITaskItem resolved, DateTime time)
    {
        foreach (var name in new[] { "OutputModel", "Manifest", "DoneMarker" })
        {
            Write(resolved.GetMetadata(name), time);
        }
    }

    private static void Write(string path, DateTime time)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "x");
        File.SetLastWriteTimeUtc(path, time);
    }
}
