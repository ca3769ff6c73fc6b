using Microsoft.ML.OnnxRuntime;

namespace Quantize.Core.Evaluation;

/// <summary>Input values for one run, owned: disposing releases them.</summary>
/// <param name="names">Input names.</param>
/// <param name="values">The values, in the same order.</param>
internal sealed class SessionFeed(string[] names, OrtValue[] values) : IDisposable
{
    /// <summary>Input names.</summary>
    public string[] Names { get; } = names;

    /// <summary>The values, in the same order as <see cref="Names"/>.</summary>
    public OrtValue[] Values { get; } = values;

    /// <summary>Releases the values.</summary>
    public void Dispose()
    {
        foreach (var value in Values)
        {
            value?.Dispose();
        }
    }
}
