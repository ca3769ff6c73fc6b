using Microsoft.CodeAnalysis.CSharp;
using Quantize.Shared;
using Xunit;

namespace Quantize.Generators.Tests;

/// <summary>The shared contracts in src/Shared agree with the compiler they stand in for.</summary>
public sealed class SharedContractTests
{
    [Fact]
    public void The_build_tasks_keyword_list_is_exactly_roslyns_reserved_keywords()
    {
        var roslyn = SyntaxFacts.GetReservedKeywordKinds().Select(SyntaxFacts.GetText).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(roslyn.Order(StringComparer.Ordinal), CSharpKeywords.Reserved.Order(StringComparer.Ordinal));
    }
}
