using Quantize.Testing.Packaging;
using Xunit;

namespace Quantize.Build.Tests;

/// <summary>
/// The packed Quantize.Build of this test run (see <see cref="LocalPackageFeed"/>): packed once per run and
/// shared by every test in the collection.
/// </summary>
public sealed class PackageFixture() : LocalPackageFeed("quantize-build-it", "it");

[CollectionDefinition(Name)]
public sealed class PackedBuildTests : ICollectionFixture<PackageFixture>
{
    public const string Name = "Packed Quantize.Build";
}
