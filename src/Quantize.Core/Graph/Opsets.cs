using Quantize.Core.Onnx;

namespace Quantize.Core.Graph;

/// <summary>Reads and extends a model's opset imports.</summary>
public static class Opsets
{
    /// <summary>The Microsoft contrib-op domain (MatMulNBits, DynamicQuantizeLSTM...).</summary>
    public const string Microsoft = "com.microsoft";

    /// <summary>The version imported for <paramref name="domain"/> ("" and "ai.onnx" are the same domain); 0 if none.</summary>
    public static long Version(ModelProto model, string domain)
    {
        foreach (var import in model.OpsetImport)
        {
            if (Normalize(import.Domain) == Normalize(domain))
            {
                return import.Version;
            }
        }

        return 0;
    }

    /// <summary>Imports <paramref name="domain"/> at <paramref name="version"/> unless it is already imported.</summary>
    public static void Ensure(ModelProto model, string domain, long version)
    {
        if (Version(model, domain) == 0)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }
    }

    private static string Normalize(string domain) => domain == "ai.onnx" ? string.Empty : domain;
}
