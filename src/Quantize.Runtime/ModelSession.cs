using System.ComponentModel;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;

namespace Quantize.Runtime;

/// <summary>
/// One loaded model: the ONNX Runtime <see cref="InferenceSession"/>, the <see cref="RunOptions"/> every
/// run shares, and the session options this object created itself. Generated wrappers hold one of these.
/// </summary>
/// <remarks>
/// Thread safety: ONNX Runtime sessions are safe for concurrent <c>Run</c> calls, and nothing here
/// mutates shared state after construction, so one instance may serve many threads at once.
/// <see cref="Dispose"/> must not race with a run.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; not for IntelliSense
public sealed class ModelSession : IDisposable
{
    private readonly SessionOptions? _ownedOptions;
    private bool _disposed;

    private ModelSession(InferenceSession session, SessionOptions options, SessionOptions? ownedOptions)
    {
        Session = session;
        _ownedOptions = ownedOptions;
        RunOptions = new RunOptions();
        NativeAsync = options.IntraOpNumThreads switch
        {
            // 0 lets ONNX Runtime pick one thread per physical core; with one core there is no pool thread.
            0 => Environment.ProcessorCount >= 2,
            int n => n >= 2,
        };
    }

    /// <summary>Whether ONNX Runtime's own RunAsync can serve this session (its intra-op pool has a thread besides the caller's).</summary>
    internal bool NativeAsync { get; }

    /// <summary>The ONNX Runtime session, for anything the typed wrapper does not cover.</summary>
    public InferenceSession Session { get; }

    /// <summary>The run options shared by every run of this session (read-only after construction).</summary>
    public RunOptions RunOptions { get; }

    /// <summary>
    /// Loads a model embedded in <paramref name="assembly"/> as the manifest resource
    /// <paramref name="resourceName"/>, or — when <paramref name="resourceName"/> is null — from
    /// <paramref name="modelFileName"/> beside the application (<see cref="AppContext.BaseDirectory"/>).
    /// </summary>
    /// <param name="assembly">The assembly the model is embedded in (the wrapper's own assembly).</param>
    /// <param name="resourceName">The manifest resource's logical name, or null when the model is a file.</param>
    /// <param name="modelFileName">The model's file name beside the app; also used in error messages.</param>
    /// <param name="options">Session options (execution providers, threads); null for ONNX Runtime's CPU defaults.
    /// The caller keeps ownership of options it passes.</param>
    /// <param name="usesOrtExtensions">Whether the model uses the <c>ai.onnx.contrib</c> custom-op domain.</param>
    /// <returns>The loaded session.</returns>
    /// <exception cref="FileNotFoundException">The resource or file does not exist.</exception>
    /// <exception cref="OrtExtensionsMissingException">The model needs ONNX Runtime Extensions and they are not available.</exception>
    public static ModelSession Open(Assembly assembly, string? resourceName, string modelFileName, SessionOptions? options, bool usesOrtExtensions)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(modelFileName);

        // ONNX Runtime copies session options into the session, but custom-op registrations made on
        // options we create must outlive the session to be safe, so we own and dispose them with it.
        SessionOptions? owned = null;
        if (options is null)
        {
            owned = new SessionOptions();
            options = owned;
        }

        try
        {
            if (usesOrtExtensions)
            {
                OrtExtensions.Register(options);
            }

            var session = resourceName is null
                ? new InferenceSession(ModelFiles.BesideApplication(modelFileName), options)
                : new InferenceSession(ModelFiles.ReadResource(assembly, resourceName), options);
            return new ModelSession(session, options, owned);
        }
        catch
        {
            owned?.Dispose();
            throw;
        }
    }

    /// <summary>Runs the model and returns ONNX Runtime's output values, in <paramref name="outputNames"/> order.</summary>
    /// <param name="inputNames">The graph input names, in the order of <paramref name="inputs"/>.</param>
    /// <param name="inputs">The input values.</param>
    /// <param name="outputNames">The outputs to fetch.</param>
    /// <returns>The outputs; the caller disposes them.</returns>
    public IDisposableReadOnlyCollection<OrtValue> Run(string[] inputNames, OrtValue[] inputs, string[] outputNames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Session.Run(RunOptions, inputNames, inputs, outputNames);
    }

    /// <summary>Runs the model into pre-allocated output values (for example over caller-provided buffers).</summary>
    /// <param name="inputNames">The graph input names, in the order of <paramref name="inputs"/>.</param>
    /// <param name="inputs">The input values.</param>
    /// <param name="outputNames">The outputs to fetch, in the order of <paramref name="outputs"/>.</param>
    /// <param name="outputs">Pre-allocated output values with the outputs' exact shapes.</param>
    public void Run(string[] inputNames, OrtValue[] inputs, string[] outputNames, OrtValue[] outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Session.Run(RunOptions, inputNames, inputs, outputNames, outputs);
    }

    /// <summary>
    /// Runs the model asynchronously into pre-allocated outputs. ONNX Runtime's own <c>RunAsync</c> runs on
    /// its intra-op thread pool and completes through a native callback, so no .NET thread blocks; ONNX
    /// Runtime needs pre-allocated outputs for it, which is why this overload takes them.
    /// </summary>
    /// <param name="inputNames">The graph input names, in the order of <paramref name="inputs"/>.</param>
    /// <param name="inputs">The input values; they must stay alive until the task completes.</param>
    /// <param name="outputNames">The outputs to fetch, in the order of <paramref name="outputs"/>.</param>
    /// <param name="outputs">Pre-allocated output values with the outputs' exact shapes.</param>
    /// <returns>A task that completes when the outputs are written.</returns>
    public Task RunAsync(string[] inputNames, OrtValue[] inputs, string[] outputNames, OrtValue[] outputs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return AsyncRuns.Run(this, inputNames, inputs, outputNames, outputs);
    }

    /// <summary>Releases the session and the options this object created.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Session.Dispose();
        RunOptions.Dispose();
        _ownedOptions?.Dispose();
    }
}
