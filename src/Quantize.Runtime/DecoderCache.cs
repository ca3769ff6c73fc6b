using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Quantize.Runtime;

/// <summary>
/// One generation's KV cache for a decoder (batch 1): <see cref="Prefill"/> runs a prompt, <see cref="Step"/> one token
/// at a time, and between runs each <c>present.N.*</c> output becomes the next run's <c>past_key_values.N.*</c> input as
/// the same ONNX Runtime value, without a copy. The attention mask and position ids follow <see cref="Length"/>.
/// </summary>
/// <remarks>
/// Logits are returned as a view of ONNX Runtime's output for the last position, valid until the next run or
/// <see cref="Dispose"/>; copy them to keep them. Not thread-safe: one cache per generation (the model itself may
/// serve many caches at once).
/// </remarks>
public sealed class DecoderCache : IDisposable
{
    private readonly ModelSession _model;
    private readonly DecoderLayout _layout;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private OrtValue[] _pasts;
    private IDisposableReadOnlyCollection<OrtValue>? _lastRun;
    private bool _disposed;

    /// <summary>Creates an empty cache for <paramref name="model"/>, whose inputs and outputs <paramref name="layout"/> describes.</summary>
    public DecoderCache(ModelSession model, DecoderLayout layout)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layout);
        _model = model;
        _layout = layout;
        var pasts = Enumerable.Range(0, layout.Layers).SelectMany(l => new[] { Name("past_key_values.{0}.key", l), Name("past_key_values.{0}.value", l) });
        _inputNames = [.. new[] { "input_ids", "attention_mask" }, .. layout.HasPositionIds ? ["position_ids"] : Array.Empty<string>(), .. pasts];
        _outputNames = ["logits", .. Enumerable.Range(0, layout.Layers).SelectMany(l => new[] { Name("present.{0}.key", l), Name("present.{0}.value", l) })];
        long[] empty = [1, layout.KvHeads, 0, layout.HeadWidth];
        _pasts = [.. Enumerable.Range(0, 2 * layout.Layers).Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, layout.PastType, empty))];
    }

    /// <summary>Tokens in the cache: the positions the next run's keys and values follow.</summary>
    public int Length { get; private set; }

    /// <summary>Runs <paramref name="tokens"/> after what the cache holds; returns the logits at the last of them.</summary>
    /// <exception cref="ArgumentException"><paramref name="tokens"/> is empty.</exception>
    public ReadOnlySpan<float> Prefill(scoped ReadOnlySpan<long> tokens)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (tokens.IsEmpty)
        {
            throw new ArgumentException("A run needs at least one token.", nameof(tokens));
        }

        int total = Length + tokens.Length;
        var ids = tokens.ToArray();
        var mask = new long[total];
        Array.Fill(mask, 1L);
        var positions = Enumerable.Range(Length, tokens.Length).Select(p => (long)p).ToArray();
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [1, total]);
        using var positionsValue = OrtValue.CreateTensorValueFromMemory(positions, [1, positions.Length]);
        OrtValue[] inputs = [idsValue, maskValue, .. _layout.HasPositionIds ? [positionsValue] : Array.Empty<OrtValue>(), .. _pasts];

        var outputs = _model.Run(_inputNames, inputs, _outputNames);
        // The presents become the pasts: release the previous pasts (the first ones are ours, later ones belong to the
        // previous run's collection, which goes with them).
        if (_lastRun is null)
        {
            foreach (var past in _pasts)
            {
                past.Dispose();
            }
        }

        _lastRun?.Dispose();
        _lastRun = outputs;
        _pasts = [.. outputs.Skip(1)];
        Length = total;

        var logits = outputs[0].GetTensorDataAsSpan<float>();
        int vocabulary = logits.Length / ids.Length;
        return logits[^vocabulary..];
    }

    /// <summary>Runs one token after what the cache holds; returns its logits.</summary>
    public ReadOnlySpan<float> Step(long token) => Prefill([token]);

    /// <summary>Releases the cached keys and values.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_lastRun is null)
        {
            foreach (var past in _pasts)
            {
                past.Dispose();
            }
        }

        _lastRun?.Dispose();
    }

    private static string Name(string format, int layer) => string.Format(CultureInfo.InvariantCulture, format, layer);
}
