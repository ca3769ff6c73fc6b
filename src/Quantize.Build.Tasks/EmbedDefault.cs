namespace Quantize.Build.Tasks;

/// <summary>
/// Whether a model is embedded as a resource when its item says nothing (<c>Embed</c> empty, the default): yes, unless
/// the source model with its external-data files passes <see cref="LimitBytes"/>. Such models are small language models
/// whose quantized form is hundreds of megabytes or more (past 2 GiB it cannot be one resource at all): the compiler
/// would copy that into the assembly, and an app would hold a resource copy in memory where ONNX Runtime can map a
/// file. They are copied beside the app, and the generated class loads them from there. Decided from the source before quantizing, so design-time and real builds agree. <c>Embed="true"</c>
/// still embeds (a model past 2 GiB is then QNT0028), <c>Embed="false"</c> never does.
/// </summary>
internal static class EmbedDefault
{
    /// <summary>1 GiB of source: a 0.5 B-parameter decoder in FP32 (2 GB) is past it, every encoder or CNN here far below.</summary>
    public const long LimitBytes = 1L << 30;

    /// <summary>The item's choice, or the default for <paramref name="sourcePath"/> when <paramref name="metadata"/> is empty.</summary>
    public static bool Resolve(string metadata, string sourcePath)
    {
        var text = metadata.Trim();
        if (text.Length > 0)
        {
            return !string.Equals(text, "false", StringComparison.OrdinalIgnoreCase);
        }

        return SourceBytes(sourcePath) <= LimitBytes;
    }

    /// <summary>
    /// The model file plus the files beside it whose names start with its own (<c>model.onnx.data</c>,
    /// <c>model.onnx_data</c>), the names exporters give external data; 0 when the model does not exist yet (the
    /// worker reports that).
    /// </summary>
    private static long SourceBytes(string sourcePath)
    {
        var file = new FileInfo(sourcePath);
        if (!file.Exists || file.Directory is null)
        {
            return 0;
        }

        return file.Length + file.Directory.EnumerateFiles(file.Name + "*").Where(f => f.Name != file.Name).Sum(f => f.Length);
    }
}
