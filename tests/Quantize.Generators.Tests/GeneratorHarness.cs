using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Quantize.Generators.Tests;

/// <summary>Drives <see cref="ModelWrapperGenerator"/> with CSharpGeneratorDriver and compiles what it produced.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.CSharp12, DocumentationMode.Diagnose);

    /// <summary>The running runtime's assemblies plus Quantize.Runtime and ONNX Runtime: what an app compiles against.</summary>
    public static ImmutableArray<MetadataReference> References { get; } = BuildReferences(withRuntime: true);

    public static ImmutableArray<MetadataReference> ReferencesWithoutRuntime { get; } = BuildReferences(withRuntime: false);

    public static CSharpCompilation Compilation(string source = "namespace App { internal static class Program { } }", bool withRuntime = true) =>
        CSharpCompilation.Create(
            "App" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Program.cs")],
            withRuntime ? References : ReferencesWithoutRuntime,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                deterministic: true));

    public static GeneratorDriver Driver(params AdditionalText[] manifests) =>
        CSharpGeneratorDriver.Create(
            [new ModelWrapperGenerator().AsSourceGenerator()],
            manifests,
            ParseOptions,
            optionsProvider: null,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; returns the run result and the compilation with generated sources added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(CSharpCompilation compilation, params AdditionalText[] manifests)
    {
        var driver = Driver(manifests).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (driver.GetRunResult(), output, diagnostics);
    }

    public static AdditionalText ManifestFile(string name) =>
        new InMemoryAdditionalText(TestFiles.Manifest(name), File.ReadAllText(TestFiles.Manifest(name)));

    /// <summary>Compiler diagnostics at warning level or above, for "compiles without warnings" checks.</summary>
    public static List<Diagnostic> WarningsAndErrors(Compilation compilation) =>
        [.. compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)];

    private static ImmutableArray<MetadataReference> BuildReferences(bool withRuntime)
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();
        if (withRuntime)
        {
            paths.Add(typeof(Quantize.Runtime.ModelSession).Assembly.Location);
            paths.Add(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.Location);
        }

        return [.. paths.Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
