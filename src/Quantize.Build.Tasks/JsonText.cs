using System.Globalization;
using System.Text;

namespace Quantize.Build.Tasks;

/// <summary>The little JSON the request needs (strings, booleans, objects), written without a JSON library.</summary>
internal static class JsonText
{
    /// <summary>Appends <paramref name="value"/> as a JSON string literal (RFC 8259 escapes).</summary>
    public static StringBuilder AppendString(this StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"':
                    json.Append("\\\"");
                    break;
                case '\\':
                    json.Append("\\\\");
                    break;
                case '\n':
                    json.Append("\\n");
                    break;
                case '\r':
                    json.Append("\\r");
                    break;
                case '\t':
                    json.Append("\\t");
                    break;
                default:
                    if (c < ' ')
                    {
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        json.Append(c);
                    }

                    break;
            }
        }

        return json.Append('"');
    }

    /// <summary>Appends <c>"name": "value"</c> and a comma unless it is the last member.</summary>
    public static StringBuilder AppendMember(this StringBuilder json, string name, string value, bool last = false) =>
        json.AppendString(name).Append(": ").AppendString(value).Append(last ? "" : ", ");
}
