using Xunit;

namespace Quantize.Testing;

/// <summary>
/// A test of the opt-in heavy tier (multi-GB models): skipped, with the reason, unless <c>QUANTIZE_HEAVY=1</c>. The
/// default suite stays within CI's time; `QUANTIZE_HEAVY=1 dotnet test Quantize.Build.sln -c Release --filter Category=Heavy`
/// runs them (the README says so).
/// </summary>
public sealed class HeavyFactAttribute : FactAttribute
{
    /// <summary>The environment variable that turns the heavy tier on.</summary>
    public const string Switch = "QUANTIZE_HEAVY";

    public HeavyFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Switch) != "1")
        {
            Skip = $"heavy test: set {Switch}=1 to run it";
        }
    }
}
