using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Quantize.Shared;

namespace Quantize.Build.Tasks;

/// <summary>
/// Turns the project's <c>QuantizedModel</c> items into fully resolved items (absolute paths, default class
/// name and namespace, output/manifest/stamp paths under obj/), writes each item's stamp file when its settings
/// changed, and picks the items that are out of date. Runs in every build, so it does only cheap work: it
/// compares timestamps and a small text file per model, never reads a model.
/// </summary>
/// <remarks>
/// Why a task rather than a target batched with Inputs/Outputs: when a batched target is up to date, MSBuild
/// still runs its ItemGroups ("output inference"), so a target cannot collect "the stale items" reliably, and
/// running the worker from a batched target would start one process per model instead of one per build.
/// </remarks>
public sealed class ResolveQuantizedModels : Microsoft.Build.Utilities.Task
{
    /// <summary>The project's <c>QuantizedModel</c> items.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary>The project folder (item paths are relative to it).</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>Where outputs, manifests and stamps go (absolute, e.g. obj/Debug/net10.0/quantize/).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The content-addressed cache folder.</summary>
    [Required]
    public string CacheDirectory { get; set; } = "";

    /// <summary>Names of the item metadata that change the quantized model (the engine options).</summary>
    [Required]
    public string[] EngineMetadataNames { get; set; } = [];

    /// <summary>An IDE design-time build: an item is stale only when its manifest is missing or out of date.</summary>
    public bool DesignTime { get; set; }

    /// <summary>Every valid item, resolved.</summary>
    [Output]
    public ITaskItem[] ResolvedModels { get; private set; } = [];

    /// <summary>The resolved items the worker must process in this build.</summary>
    [Output]
    public ITaskItem[] StaleModels { get; private set; } = [];

    /// <summary>The version of these tasks (the package version), part of every stamp so an upgrade reruns every model.</summary>
    internal static string PackageVersion { get; } =
        typeof(ResolveQuantizedModels).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <inheritdoc />
    public override bool Execute()
    {
        var resolved = new List<ITaskItem>();
        var stale = new List<ITaskItem>();
        var classes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var model in Models)
        {
            var item = Resolve(model);
            if (item is null)
            {
                continue;
            }

            var fullName = item.GetMetadata(ItemNames.Namespace) + "." + item.GetMetadata(ItemNames.ClassName);
            if (classes.TryGetValue(fullName, out var other))
            {
                Error(item.GetMetadata(ItemNames.FullSource), ErrorCodes.InvalidItem,
                    $"The QuantizedModel items '{other}' and '{model.ItemSpec}' both generate the class '{fullName.TrimStart('.')}'. Set a different ClassName or Namespace on one of them.");
                continue;
            }

            classes.Add(fullName, model.ItemSpec);
            resolved.Add(item);
            if (IsStale(item))
            {
                stale.Add(item);
            }
        }

        ResolvedModels = resolved.ToArray();
        StaleModels = stale.ToArray();
        return !Log.HasLoggedErrors;
    }

    private TaskItem? Resolve(ITaskItem model)
    {
        var source = Path.GetFullPath(Path.Combine(ProjectDirectory, model.ItemSpec));
        var precision = PrecisionSpellings.Canonical(model.GetMetadata(ItemNames.Precision));
        if (precision is null)
        {
            var written = model.GetMetadata(ItemNames.Precision);
            Error(source, ErrorCodes.UnknownPrecision, string.IsNullOrWhiteSpace(written)
                ? $"The QuantizedModel item '{model.ItemSpec}' has no Precision. Set Precision to one of: {PrecisionSpellings.Accepted}."
                : $"Unknown precision '{written}' on the QuantizedModel item '{model.ItemSpec}'. Use one of: {PrecisionSpellings.Accepted}.");
            return null;
        }

        if (!File.Exists(source))
        {
            Error(source, ErrorCodes.ModelNotFound, $"The model file '{model.ItemSpec}' of a QuantizedModel item does not exist (looked for '{source}').");
            return null;
        }

        var className = model.GetMetadata(ItemNames.ClassName).Trim();
        if (className.Length == 0)
        {
            className = Naming.PascalCase(Path.GetFileNameWithoutExtension(source));
        }

        var ns = model.GetMetadata(ItemNames.Namespace).Trim();
        if (!Naming.IsIdentifier(className) || !Naming.IsNamespace(ns))
        {
            Error(source, ErrorCodes.InvalidItem, $"ClassName '{className}' and Namespace '{ns}' of the QuantizedModel item '{model.ItemSpec}' must be a C# identifier and a dotted C# name (not a C# keyword).");
            return null;
        }

        var qualified = ns.Length == 0 ? className : ns + "." + className;
        var stem = Path.Combine(OutputDirectory, qualified);
        bool embed = EmbedDefault.Resolve(model.GetMetadata(ItemNames.Embed), source);
        var logicalName = model.GetMetadata(ItemNames.LogicalName).Trim();

        var item = new TaskItem(model.ItemSpec);
        model.CopyMetadataTo(item);
        item.SetMetadata(ItemNames.Precision, precision);
        item.SetMetadata(ItemNames.FullSource, source);
        item.SetMetadata(ItemNames.ClassName, className);
        item.SetMetadata(ItemNames.Namespace, ns);
        item.SetMetadata(ItemNames.Embed, embed ? "true" : "false");
        item.SetMetadata(ItemNames.LogicalName, logicalName.Length > 0 ? logicalName : qualified + ".onnx");
        item.SetMetadata(ItemNames.ModelFileName, className + ".onnx");
        item.SetMetadata(ItemNames.OutputModel, stem + ".onnx");
        item.SetMetadata(ItemNames.Manifest, stem + ".quantize.json");
        item.SetMetadata(ItemNames.StampFile, stem + ".stamp");
        item.SetMetadata(ItemNames.DoneMarker, stem + ".done");
        item.SetMetadata(ItemNames.CacheDirectory, Path.GetFullPath(CacheDirectory));
        item.SetMetadata(ItemNames.ProjectDirectory, Path.GetFullPath(ProjectDirectory));
        item.SetMetadata(ItemNames.DependencyFile, stem + ".deps");
        // The quality report (Quantize.Core.Reporting names its files <name>.quantize-report.html/.md).
        item.SetMetadata(ItemNames.ReportHtml, stem + ".quantize-report.html");
        item.SetMetadata(ItemNames.ReportMarkdown, stem + ".quantize-report.md");
        WriteStampIfChanged(item);
        return item;
    }

    /// <summary>
    /// The stamp holds every setting that shapes the output plus the package version. It is rewritten only when
    /// that text changes, so its timestamp says "settings changed since the model was last produced".
    /// </summary>
    private void WriteStampIfChanged(TaskItem item)
    {
        var text = new StringBuilder();
        text.Append("package=").Append(PackageVersion).Append('\n');
        foreach (var name in new[] { ItemNames.ClassName, ItemNames.Namespace, ItemNames.Embed, ItemNames.LogicalName })
        {
            text.Append(name).Append('=').Append(item.GetMetadata(name)).Append('\n');
        }

        foreach (var name in EngineMetadataNames.Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase))
        {
            text.Append(name).Append('=').Append(item.GetMetadata(name).Trim()).Append('\n');
        }

        var path = item.GetMetadata(ItemNames.StampFile);
        var content = text.ToString();
        if (File.Exists(path) && File.ReadAllText(path) == content)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private bool IsStale(TaskItem item)
    {
        var source = LastWrite(item.GetMetadata(ItemNames.FullSource));
        var stamp = LastWrite(item.GetMetadata(ItemNames.StampFile));
        var newestInput = source > stamp ? source : stamp;
        var manifest = LastWrite(item.GetMetadata(ItemNames.Manifest));
        var done = LastWrite(item.GetMetadata(ItemNames.DoneMarker));
        bool buildStale = done is null || done < newestInput
            || !File.Exists(item.GetMetadata(ItemNames.OutputModel)) || manifest is null;
        if (!DesignTime)
        {
            return buildStale || DependencyChanged(item.GetMetadata(ItemNames.DependencyFile), done!.Value);
        }

        // Design-time: a manifest from a real build stays (it is the better one); write one only when none
        // exists or when the real outputs are stale and the manifest predates the change.
        return manifest is null || (buildStale && manifest < newestInput);
    }

    /// <summary>
    /// The worker lists the calibration files (and their folders) it read in the model's dependency file; one that is
    /// newer than the last completed run, or gone, makes the model stale. Design-time builds ignore it: their
    /// manifest does not depend on the data, and they never calibrate.
    /// </summary>
    private static bool DependencyChanged(string dependencyFile, DateTime done)
    {
        if (!File.Exists(dependencyFile))
        {
            return false;
        }

        foreach (var line in File.ReadAllLines(dependencyFile))
        {
            var path = line.Trim();
            if (path.Length == 0)
            {
                continue;
            }

            DateTime? written = File.Exists(path) ? File.GetLastWriteTimeUtc(path)
                : Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path)
                : null;
            if (written is null || written > done)
            {
                return true;
            }
        }

        return false;
    }

    private static DateTime? LastWrite(string path) => File.Exists(path) ? File.GetLastWriteTimeUtc(path) : null;

    private void Error(string file, string code, string message) =>
        Log.LogError(subcategory: null, errorCode: code, helpKeyword: null, file: file, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: message);
}
