using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Quantize.Generators.Json;

/// <summary>
/// A small strict JSON (RFC 8259) reader producing a <see cref="JsonValue"/> tree.
/// </summary>
/// <remarks>
/// Why our own: the generator targets netstandard2.0 and runs inside the compiler, which does not
/// provide System.Text.Json there; shipping it would mean bundling it and its dependencies into the
/// analyzer folder, where they can clash with the versions the IDE or the compiler loads. Manifests
/// are small, machine-written files, so a strict recursive-descent reader with positions for error
/// messages is all we need. It rejects comments, trailing commas, duplicate keys, leading zeros,
/// lone surrogates and anything after the top-level value, and it limits nesting depth.
/// </remarks>
internal sealed class JsonReader
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private int _position;
    private int _line = 1;
    private int _lineStart;

    private JsonReader(string text)
    {
        _text = text;
    }

    /// <summary>Parses a whole document.</summary>
    /// <exception cref="JsonException">The text is not valid JSON.</exception>
    public static JsonValue Parse(string text)
    {
        var reader = new JsonReader(text);
        // A UTF-8 byte order mark decoded into the string is not part of the document.
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            reader._position = 1;
            reader._lineStart = 1;
        }

        reader.SkipWhitespace();
        var value = reader.ReadValue(0);
        reader.SkipWhitespace();
        if (reader._position < text.Length)
        {
            throw reader.Error("Unexpected text after the end of the JSON document");
        }

        return value;
    }

    private int Column => _position - _lineStart + 1;

    private JsonException Error(string message) => new($"{message} (line {_line}, column {Column})", _line, Column);

    private JsonValue ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"JSON nested deeper than {MaxDepth} levels");
        }

        if (_position >= _text.Length)
        {
            throw Error("Unexpected end of JSON; a value was expected");
        }

        int line = _line;
        int column = Column;
        char c = _text[_position];
        switch (c)
        {
            case '{':
                return ReadObject(depth, line, column);
            case '[':
                return ReadArray(depth, line, column);
            case '"':
                return JsonValue.String(ReadString(), line, column);
            case 't':
                ExpectWord("true");
                return JsonValue.Literal(JsonKind.True, line, column);
            case 'f':
                ExpectWord("false");
                return JsonValue.Literal(JsonKind.False, line, column);
            case 'n':
                ExpectWord("null");
                return JsonValue.Literal(JsonKind.Null, line, column);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return JsonValue.Number(ReadNumber(), line, column);
                }

                throw Error($"Unexpected character '{Printable(c)}'; a value was expected");
        }
    }

    private JsonValue ReadObject(int depth, int line, int column)
    {
        _position++; // '{'
        var properties = new List<KeyValuePair<string, JsonValue>>();
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        SkipWhitespace();
        if (TryConsume('}'))
        {
            return JsonValue.Object(properties, line, column);
        }

        while (true)
        {
            SkipWhitespace();
            if (_position >= _text.Length || _text[_position] != '"')
            {
                throw Error("A property name in double quotes was expected");
            }

            int keyLine = _line;
            int keyColumn = Column;
            var key = ReadString();
            if (!seen.Add(key))
            {
                throw new JsonException($"Duplicate property '{key}' (line {keyLine}, column {keyColumn})", keyLine, keyColumn);
            }

            SkipWhitespace();
            if (!TryConsume(':'))
            {
                throw Error("':' was expected after a property name");
            }

            SkipWhitespace();
            properties.Add(new KeyValuePair<string, JsonValue>(key, ReadValue(depth + 1)));
            SkipWhitespace();
            if (TryConsume(','))
            {
                continue;
            }

            if (TryConsume('}'))
            {
                return JsonValue.Object(properties, line, column);
            }

            throw Error("',' or '}' was expected in an object");
        }
    }

    private JsonValue ReadArray(int depth, int line, int column)
    {
        _position++; // '['
        var items = new List<JsonValue>();
        SkipWhitespace();
        if (TryConsume(']'))
        {
            return JsonValue.Array(items, line, column);
        }

        while (true)
        {
            SkipWhitespace();
            items.Add(ReadValue(depth + 1));
            SkipWhitespace();
            if (TryConsume(','))
            {
                continue;
            }

            if (TryConsume(']'))
            {
                return JsonValue.Array(items, line, column);
            }

            throw Error("',' or ']' was expected in an array");
        }
    }

    private string ReadString()
    {
        _position++; // opening quote
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw Error("Unterminated string");
            }

            char c = _text[_position];
            if (c == '"')
            {
                _position++;
                return builder.ToString();
            }

            if (c < ' ')
            {
                throw Error("Control characters must be escaped inside strings");
            }

            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && _position + 1 < _text.Length && char.IsLowSurrogate(_text[_position + 1]))
                {
                    builder.Append(c).Append(_text[_position + 1]);
                    _position += 2;
                    continue;
                }

                throw Error("Invalid UTF-16 surrogate in string");
            }

            if (c != '\\')
            {
                builder.Append(c);
                _position++;
                continue;
            }

            _position++;
            if (_position >= _text.Length)
            {
                throw Error("Unterminated escape sequence");
            }

            char escape = _text[_position++];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case '/': builder.Append('/'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u': AppendUnicodeEscape(builder); break;
                default: throw Error($"Invalid escape sequence '\\{Printable(escape)}'");
            }
        }
    }

    private void AppendUnicodeEscape(StringBuilder builder)
    {
        char first = ReadHex4();
        if (char.IsHighSurrogate(first))
        {
            if (_position + 1 < _text.Length && _text[_position] == '\\' && _text[_position + 1] == 'u')
            {
                _position += 2;
                char second = ReadHex4();
                if (char.IsLowSurrogate(second))
                {
                    builder.Append(first).Append(second);
                    return;
                }
            }

            throw Error("A \\u escape for a high surrogate must be followed by one for a low surrogate");
        }

        if (char.IsLowSurrogate(first))
        {
            throw Error("Unpaired low surrogate in \\u escape");
        }

        builder.Append(first);
    }

    private char ReadHex4()
    {
        if (_position + 4 > _text.Length)
        {
            throw Error("Incomplete \\u escape");
        }

        int value = 0;
        for (int i = 0; i < 4; i++)
        {
            char h = _text[_position + i];
            int digit = h >= '0' && h <= '9' ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                : -1;
            if (digit < 0)
            {
                throw Error("Invalid hex digit in \\u escape");
            }

            value = (value * 16) + digit;
        }

        _position += 4;
        return (char)value;
    }

    private string ReadNumber()
    {
        int start = _position;
        TryConsume('-');
        if (TryConsume('0'))
        {
            if (_position < _text.Length && IsDigit(_text[_position]))
            {
                throw Error("Numbers must not have leading zeros");
            }
        }
        else if (!ConsumeDigits())
        {
            throw Error("A digit was expected in a number");
        }

        if (TryConsume('.') && !ConsumeDigits())
        {
            throw Error("A digit was expected after the decimal point");
        }

        if (_position < _text.Length && (_text[_position] == 'e' || _text[_position] == 'E'))
        {
            _position++;
            if (!TryConsume('+'))
            {
                TryConsume('-');
            }

            if (!ConsumeDigits())
            {
                throw Error("A digit was expected in the exponent");
            }
        }

        return _text.Substring(start, _position - start);
    }

    private bool ConsumeDigits()
    {
        int start = _position;
        while (_position < _text.Length && IsDigit(_text[_position]))
        {
            _position++;
        }

        return _position > start;
    }

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private void ExpectWord(string word)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
        {
            throw Error($"Unexpected token; '{word}' or another value was expected");
        }

        _position += word.Length;
    }

    private bool TryConsume(char c)
    {
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length)
        {
            char c = _text[_position];
            if (c == '\n')
            {
                _position++;
                _line++;
                _lineStart = _position;
            }
            else if (c == ' ' || c == '\t' || c == '\r')
            {
                _position++;
            }
            else
            {
                return;
            }
        }
    }

    private static string Printable(char c) =>
        c < ' ' || c > '~' ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString();
}
