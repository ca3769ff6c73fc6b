using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Quantize.Generators.Tests;

/// <summary>
/// Compiles an app in memory the way the build would: the generator's wrapper from a manifest, the app's own
/// code, and the quantized model as a manifest resource; then loads the assembly into this process.
/// </summary>
internal static class WrapperCompiler
{
    public static Assembly Compile(string manifestJson, string appSource, string? resourceName = null, byte[]? model = null)
    {
        var (_, output, diagnostics) = GeneratorHarness.Run(
            GeneratorHarness.Compilation(appSource),
            new InMemoryAdditionalText("/app/obj/Model.quantize.json", manifestJson));
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.WarningsAndErrors(output));

        var resources = resourceName is null ? null : new[] { new ResourceDescription(resourceName, () => new MemoryStream(model!), isPublic: true) };
        using var image = new MemoryStream();
        var emitted = output.Emit(image, manifestResources: resources);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return Assembly.Load(image.ToArray());
    }

    public static object? Call(Assembly assembly, string type, string method, params object?[] arguments)
    {
        try
        {
            return assembly.GetType(type, throwOnError: true)!.GetMethod(method)!.Invoke(null, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
