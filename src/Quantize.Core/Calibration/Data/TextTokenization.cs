namespace Quantize.Core.Calibration.Data;

/// <summary>
/// How calibration text (<c>.txt</c>, one sample per line) becomes BERT-style encoder inputs: WordPiece
/// tokens of <see cref="VocabularyPath"/> with [CLS]/[SEP], truncated to <see cref="MaxLength"/>, each line a
/// batch-1 sample of its own length (no padding, so the attention mask never dominates a range).
/// </summary>
public sealed record TextTokenization
{
    /// <summary>The WordPiece vocabulary (vocab.txt) the model was trained with.</summary>
    public required string VocabularyPath { get; init; }

    /// <summary>Most tokens per sample, [CLS] and [SEP] included.</summary>
    public int MaxLength { get; init; } = DefaultMaxLength;

    /// <summary>The default of <see cref="MaxLength"/>.</summary>
    public const int DefaultMaxLength = 128;

    /// <summary>Lower-case text before tokenizing (uncased models).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Name of the token-id input; null matches the model's inputs (input_ids, or the input that is not a mask or type ids).</summary>
    public string? InputIdsName { get; init; }

    /// <summary>Name of the attention-mask input; null matches an input whose name contains "mask".</summary>
    public string? AttentionMaskName { get; init; }

    /// <summary>Name of the segment-id input; null matches an input whose name contains "type".</summary>
    public string? TokenTypeIdsName { get; init; }
}
