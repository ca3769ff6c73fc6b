namespace Quantize.Cli.Tests;

/// <summary>
/// Trait for tests that need a precision's pass registered in the engine (they fail with QNT9999, exit 3,
/// while it is missing). Filter with <c>--filter Requires=Passes</c> or <c>Requires!=Passes</c>; they are
/// part of the default suite and are never skipped.
/// </summary>
public static class PassTraits
{
    public const string Requires = "Requires";
    public const string Passes = "Passes";
}
