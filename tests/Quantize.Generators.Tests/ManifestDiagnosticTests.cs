using Microsoft.CodeAnalysis;
using Xunit;

namespace Quantize.Generators.Tests;

/// <summary>A bad manifest is a diagnostic on the manifest's path, never an exception or a half-written class.</summary>
public sealed class ManifestDiagnosticTests
{
    private const string Path = "/project/obj/quantize/Broken.quantize.json";

    private static readonly string Valid = File.ReadAllText(TestFiles.Manifest("ResNet18"));

    public static TheoryData<string, string, string> BadManifests => new()
    {
        { "not JSON", "{ \"schemaVersion\": 1, ", "A property name in double quotes was expected" },
        { "truncated", "{ \"schemaVersion\": ", "Unexpected end of JSON" },
        { "trailing comma", Valid.Replace("\"Int8\",", "\"Int8\",,", StringComparison.Ordinal), "a property name in double quotes was expected" },
        { "empty file", "", "Unexpected end of JSON" },
        { "array at top", "[]", "must be a JSON object" },
        { "missing className", Valid.Replace("\"className\": \"ResNet18\",", "", StringComparison.Ordinal), "Required property 'className' is missing" },
        { "className not an identifier", Valid.Replace("\"ResNet18\"", "\"Res Net\"", StringComparison.Ordinal), "'className' must be a C# identifier" },
        { "className a keyword", Valid.Replace("\"ResNet18\"", "\"class\"", StringComparison.Ordinal), "'className' must be a C# identifier" },
        { "bad namespace", Valid.Replace("\"Samples.Images\"", "\"Samples..Images\"", StringComparison.Ordinal), "'namespace' must be a dotted C# name" },
        { "unknown precision", Valid.Replace("\"Int8\"", "\"Int3\"", StringComparison.Ordinal), "'precision' must be one of Fp16, Bf16, Int8, Int4" },
        { "unknown element type", Valid.Replace("\"elementType\": \"float\"", "\"elementType\": \"complex64\"", StringComparison.Ordinal), "element type 'complex64'" },
        { "negative dimension", Valid.Replace("[1, 3, 224, 224]", "[1, -3, 224, 224]", StringComparison.Ordinal), "must be a non-negative integer, a non-empty name, or null" },
        { "fractional dimension", Valid.Replace("[1, 3, 224, 224]", "[1, 3.5, 224, 224]", StringComparison.Ordinal), "must be a non-negative integer" },
        { "no outputs", Valid[..Valid.IndexOf("\"outputs\"", StringComparison.Ordinal)] + "\"outputs\": [] }", "'outputs' must list at least one tensor" },
        { "duplicate key", Valid.Replace("\"precision\": \"Int8\",", "\"precision\": \"Int8\", \"precision\": \"Int4\",", StringComparison.Ordinal), "Duplicate property 'precision'" },
        { "size as string", Valid.Replace("46827520", "\"46827520\"", StringComparison.Ordinal), "'bytesBefore' must be a non-negative integer" },
        { "duplicate tensor", Valid.Replace("\"resnetv17_dense0_fwd\"", "\"data\"", StringComparison.Ordinal).Replace("\"inputs\"", "\"ignored\": 0, \"inputs\"", StringComparison.Ordinal).Replace("\"outputs\": [", "\"outputs\": [ { \"name\": \"o\", \"elementType\": \"float\", \"shape\": [] }, { \"name\": \"o\", \"elementType\": \"float\", \"shape\": [] },", StringComparison.Ordinal), "Tensor 'o' appears twice in 'outputs'" },
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public void Bad_manifest_reports_QNT2001_on_the_manifest_path_and_generates_nothing(string reason, string text, string message)
    {
        var (result, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(), new InMemoryAdditionalText(Path, text));

        var run = Assert.Single(result.Results);
        Assert.Null(run.Exception);
        Assert.Empty(run.GeneratedSources);
        var diagnostic = Assert.Single(diagnostics);
        Assert.True(diagnostic.Id == "QNT2001", reason);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(Path, diagnostic.Location.GetLineSpan().Path);
        Assert.Contains(Path, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Diagnostic_points_at_the_offending_line()
    {
        var text = Valid.Replace("\"Int8\"", "\"Int3\"", StringComparison.Ordinal);
        int line = text[..text.IndexOf("Int3", StringComparison.Ordinal)].Count(c => c == '\n');

        var (_, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(), new InMemoryAdditionalText(Path, text));

        Assert.Equal(line, Assert.Single(diagnostics).Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void Newer_schema_version_reports_QNT2002()
    {
        var (_, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(), new InMemoryAdditionalText(Path, Valid.Replace("\"schemaVersion\": 1", "\"schemaVersion\": 2", StringComparison.Ordinal)));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("QNT2002", diagnostic.Id);
        Assert.Contains("version 2 is not supported", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Two_manifests_for_one_class_report_QNT2003_and_keep_the_first()
    {
        var (result, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation(),
            new InMemoryAdditionalText("/p/a/ResNet18.quantize.json", Valid),
            new InMemoryAdditionalText("/p/b/ResNet18.quantize.json", Valid));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("QNT2003", diagnostic.Id);
        Assert.Equal("/p/b/ResNet18.quantize.json", diagnostic.Location.GetLineSpan().Path);
        Assert.Single(result.Results[0].GeneratedSources);
        Assert.Empty(GeneratorHarness.WarningsAndErrors(output));
    }

    [Fact]
    public void Missing_runtime_reference_reports_QNT2004_instead_of_unexplained_compile_errors()
    {
        var (_, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(withRuntime: false), GeneratorHarness.ManifestFile("ResNet18"));

        Assert.Equal("QNT2004", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void Other_additional_files_are_ignored()
    {
        var (result, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(), new InMemoryAdditionalText("/p/settings.json", "not json at all"));

        Assert.Empty(diagnostics);
        Assert.Empty(result.Results[0].GeneratedSources);
    }

    [Fact]
    public void Unknown_properties_are_ignored_for_forward_compatibility()
    {
        var text = Valid.Replace("\"schemaVersion\": 1,", "\"schemaVersion\": 1, \"calibration\": { \"method\": \"Percentile\", \"files\": [1, 2] },", StringComparison.Ordinal);

        var (result, _, diagnostics) = GeneratorHarness.Run(GeneratorHarness.Compilation(), new InMemoryAdditionalText("/p/x.quantize.json", text));

        Assert.Empty(diagnostics);
        Assert.Single(result.Results[0].GeneratedSources);
    }
}
