using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Quantize.Generators.Emit;
using Quantize.Generators.Manifest;

namespace Quantize.Generators;

/// <summary>
/// Generates one typed wrapper class per quantized model from the build worker's
/// <c>&lt;model&gt;.quantize.json</c> manifests, passed to the compiler as <c>AdditionalFiles</c>.
/// </summary>
/// <remarks>
/// Pipeline: additional files named <c>*.quantize.json</c> → parsed manifests (value-equal records, so
/// an unchanged manifest is cached however the rest of the compilation changes) → collected, so two
/// manifests claiming one class get a diagnostic instead of colliding → source per model. The generator
/// reads nothing but the additional files' text: no file I/O, no model parsing.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class ModelWrapperGenerator : IIncrementalGenerator
{
    /// <summary>The manifest files' suffix.</summary>
    public const string ManifestSuffix = ".quantize.json";

    /// <summary>Tracking names of the pipeline steps, for tests.</summary>
    public static class Steps
    {
        /// <summary>Additional files that are manifests.</summary>
        public const string ManifestFiles = nameof(ManifestFiles);

        /// <summary>Each manifest parsed into a model or an error.</summary>
        public const string ParsedManifests = nameof(ParsedManifests);

        /// <summary>All parsed manifests together.</summary>
        public const string AllManifests = nameof(AllManifests);

        /// <summary>Whether the compilation references Quantize.Runtime.</summary>
        public const string RuntimeReferenced = nameof(RuntimeReferenced);
    }

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var manifests = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(ManifestSuffix, StringComparison.OrdinalIgnoreCase))
            .WithTrackingName(Steps.ManifestFiles)
            .Select(static (file, cancellationToken) => ManifestParser.Parse(file.Path, file.GetText(cancellationToken)?.ToString()))
            .WithTrackingName(Steps.ParsedManifests);

        var all = manifests
            .Collect()
            .Select(static (items, _) => new EquatableArray<ParsedManifest>(items))
            .WithTrackingName(Steps.AllManifests);

        // Wrappers compile only against Quantize.Runtime; say so plainly rather than with a page of CS0246.
        var runtimeReferenced = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName("Quantize.Runtime.ModelSession") is not null)
            .WithTrackingName(Steps.RuntimeReferenced);

        context.RegisterSourceOutput(all.Combine(runtimeReferenced), static (context, input) => Emit(context, input.Left, input.Right));
    }

    private static void Emit(SourceProductionContext context, EquatableArray<ParsedManifest> manifests, bool runtimeReferenced)
    {
        var emitted = new Dictionary<string, string>(StringComparer.Ordinal);
        bool anyModel = false;
        foreach (var manifest in Ordered(manifests))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            if (manifest.Error is { } error)
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.For(error.DiagnosticId), LocationOf(manifest.Path, error.Line, error.Column), manifest.Path, error.Message));
                continue;
            }

            var model = manifest.Model!;
            var fullName = model.Namespace.Length == 0 ? model.ClassName : model.Namespace + "." + model.ClassName;
            if (emitted.TryGetValue(fullName, out var firstPath))
            {
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.DuplicateClass, LocationOf(manifest.Path, 0, 0), manifest.Path, fullName, firstPath));
                continue;
            }

            emitted.Add(fullName, manifest.Path);
            anyModel = true;
            var source = WrapperWriter.Write(model, Path.GetFileName(manifest.Path));
            context.AddSource(fullName + ".g.cs", SourceText.From(source, System.Text.Encoding.UTF8));
        }

        if (anyModel && !runtimeReferenced)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.MissingRuntime, Location.None));
        }
    }

    /// <summary>Manifests in path order, so which of two duplicates wins does not depend on item order.</summary>
    private static List<ParsedManifest> Ordered(EquatableArray<ParsedManifest> manifests)
    {
        var list = new List<ParsedManifest>(manifests);
        list.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return list;
    }

    private static Location LocationOf(string path, int line, int column)
    {
        var position = new LinePosition(Math.Max(line - 1, 0), Math.Max(column - 1, 0));
        return Location.Create(path, default, new LinePositionSpan(position, position));
    }
}
