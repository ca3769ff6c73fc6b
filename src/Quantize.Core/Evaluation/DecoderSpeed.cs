using System.Globalization;

namespace Quantize.Core.Evaluation;

/// <summary>
/// A decoder's speed check: the latency of one prefill of <paramref name="PromptLength"/> tokens, and of one decode step
/// after <paramref name="Context"/> tokens, each float against quantized, interleaved (<see cref="SpeedCheck.Measure"/>).
/// Decode is what users of generative models judge latency by (time per output token), so it is also the model's
/// <see cref="QualityReport.Speed"/>, the figure gates and warnings read.
/// </summary>
public sealed record DecoderSpeed(int PromptLength, SpeedResult Prefill, int Context, SpeedResult Decode)
{
    /// <summary>Times prefill, then decode, on <paramref name="pair"/>, each with <paramref name="budget"/>.</summary>
    public static DecoderSpeed Measure(ModelPair pair, DecoderSignature decoder, int promptLength, int context, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(decoder);
        var prefill = SpeedCheck.Measure(pair, decoder.Prefill(promptLength), budget);
        var decode = SpeedCheck.Measure(pair, decoder.Decode(context), budget);
        return new DecoderSpeed(promptLength, prefill, context, decode);
    }

    /// <summary>Tokens per second of one decode step taking <paramref name="milliseconds"/>.</summary>
    public static double TokensPerSecond(double milliseconds) => milliseconds <= 0 ? double.PositiveInfinity : 1000 / milliseconds;

    /// <summary>One line for summaries: prefill latency and decode tokens per second, float and quantized.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"prefill of {PromptLength} tokens float {Prefill.FloatMedianMs:0.###} ms, quantized {Prefill.QuantizedMedianMs:0.###} ms ({Prefill.Speedup:0.00}x); "
        + $"decode at context {Context} float {TokensPerSecond(Decode.FloatMedianMs):0.#} tokens/s, quantized {TokensPerSecond(Decode.QuantizedMedianMs):0.#} tokens/s ({Decode.Speedup:0.00}x)");
}
