using System.Reflection;
using Quantize.Core.Diagnostics;
using Quantize.Testing;

namespace Quantize.Core.Tests.Documentation;

/// <summary>Every stable code has a row in a table users look codes up in (docs/cli.md, or docs/build-integration.md for build-only codes).</summary>
public sealed class ErrorCodeDocumentationTests
{
    [Fact]
    public void Every_error_code_has_a_row_in_the_documented_table()
    {
        var table = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "cli.md"))
            + File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "build-integration.md"));
        var codes = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.True(codes.Count > 30, "the reflection found too few codes to mean anything");
        Assert.All(codes, code => Assert.Contains($"| {code} |", table, StringComparison.Ordinal));
    }
}
