using System.Globalization;
using Microsoft.ML.Tokenizers;
using Quantize.Core.Diagnostics;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Core.Calibration.Data;

/// <summary>
/// Turns each non-blank line of a text file into one batch-1 sample for a BERT-style encoder: WordPiece
/// ids (Microsoft.ML.Tokenizers' BertTokenizer), an all-ones attention mask and all-zero token types, in the
/// integer type each input declares.
/// </summary>
internal sealed class TextSampleReader
{
    private readonly BertTokenizer _tokenizer;
    private readonly int _maxLength;
    private readonly List<(ModelInput Input, Role Role)> _roles = [];

    public TextSampleReader(IReadOnlyList<ModelInput> inputs, TextTokenization? options, string source)
    {
        // Checked first: a README.txt among a vision model's images needs no vocabulary, it is not calibration data.
        if (!inputs.Any(i => i.ElementType is DataType.Int64 or DataType.Int32))
        {
            throw new QuantizeException(ErrorCodes.CalibrationInputMissing, source,
                $"This text file would be calibration text (one sentence per line, as token ids), but no model input takes integer token ids (inputs: {string.Join(", ", inputs.Select(i => $"'{i.Name}' ({i.ElementType})"))}). Remove it from the calibration data, or name the files to use.");
        }

        if (options is null)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, source,
                "Calibration text needs a WordPiece vocabulary (vocab.txt) to tokenize it with; declare one.");
        }

        if (options.MaxLength < 3)
        {
            throw new QuantizeException(ErrorCodes.InvalidOption, source, "The calibration text's maximum length must leave room for [CLS], a token and [SEP] (at least 3).");
        }

        try
        {
            _tokenizer = BertTokenizer.Create(options.VocabularyPath, new BertOptions { LowerCaseBeforeTokenization = options.LowerCase });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new QuantizeException(ErrorCodes.CalibrationFileUnreadable, options.VocabularyPath,
                $"The WordPiece vocabulary '{options.VocabularyPath}' cannot be read: {ex.Message}", ex);
        }

        _maxLength = options.MaxLength;
        foreach (var input in inputs)
        {
            _roles.Add((input, RoleOf(input.Name, inputs, options)));
        }

        if (!_roles.Any(r => r.Role == Role.Ids))
        {
            throw new QuantizeException(ErrorCodes.CalibrationInputMissing, source,
                $"No model input takes token ids (inputs: {string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}); declare the input names for calibration text.");
        }
    }

    private enum Role
    {
        Ids,
        Mask,
        TokenTypes,
        Unknown,
    }

    public IEnumerable<CalibrationSample> Read(string path)
    {
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var tokens = _tokenizer.EncodeToIds(line, addSpecialTokens: false);
            var ids = _tokenizer.BuildInputsWithSpecialTokens(tokens.Take(_maxLength - 2));
            var inputs = new Dictionary<string, CalibrationTensor>(StringComparer.Ordinal);
            foreach (var (input, role) in _roles)
            {
                if (role == Role.Unknown)
                {
                    continue; // the validator reports it as missing, by name
                }

                inputs[input.Name] = Tensor(input.ElementType, role switch
                {
                    Role.Ids => ids,
                    Role.Mask => [.. Enumerable.Repeat(1, ids.Count)],
                    _ => new int[ids.Count],
                });
            }

            yield return new CalibrationSample($"{path}({lineNumber.ToString(CultureInfo.InvariantCulture)})", inputs);
        }
    }

    private static CalibrationTensor Tensor(DataType type, IReadOnlyList<int> values) => type == DataType.Int32
        ? CalibrationTensor.FromInt32s([.. values], 1, values.Count)
        : CalibrationTensor.FromInt64s([.. values.Select(v => (long)v)], 1, values.Count);

    private static Role RoleOf(string name, IReadOnlyList<ModelInput> inputs, TextTokenization options)
    {
        if (options.InputIdsName is not null || options.AttentionMaskName is not null || options.TokenTypeIdsName is not null)
        {
            return name == options.InputIdsName ? Role.Ids
                : name == options.AttentionMaskName ? Role.Mask
                : name == options.TokenTypeIdsName ? Role.TokenTypes
                : Role.Unknown;
        }

        // Undeclared names: the Hugging Face export names first, then what the names say.
        return name switch
        {
            "input_ids" => Role.Ids,
            "attention_mask" => Role.Mask,
            "token_type_ids" => Role.TokenTypes,
            _ when name.Contains("mask", StringComparison.OrdinalIgnoreCase) => Role.Mask,
            _ when name.Contains("type", StringComparison.OrdinalIgnoreCase) || name.Contains("segment", StringComparison.OrdinalIgnoreCase) => Role.TokenTypes,
            _ when !inputs.Any(i => i.Name == "input_ids") => Role.Ids,
            _ => Role.Unknown,
        };
    }
}
