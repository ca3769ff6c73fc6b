using Microsoft.ML.OnnxRuntime;

namespace Quantize.Runtime;

/// <summary>
/// A run whose input and output buffers are bound once: each <see cref="Run"/> reads whatever the caller
/// last wrote into the input buffers and writes the outputs into the output buffers, with no managed
/// allocation at all.
/// </summary>
/// <remarks>
/// Why this exists beside the wrapper's <c>Run</c> overload that takes output buffers: ONNX Runtime's C#
/// <c>Run</c> builds handle and name arrays on every call, and each call creates fresh <see cref="OrtValue"/>
/// objects. An <see cref="OrtIoBinding"/> keeps the bindings native-side, and <c>RunWithBinding</c> is a
/// single native call. The buffers stay pinned until <see cref="Dispose"/>. One prepared run serves one
/// thread at a time (the buffers are shared state); create one per thread for concurrency.
/// </remarks>
public sealed class PreparedRun : IDisposable
{
    private readonly ModelSession _model;
    private readonly OrtIoBinding _binding;
    private readonly BoundTensor[] _tensors;
    private bool _disposed;

    /// <summary>Binds the tensors; this object takes ownership of them, including on failure.</summary>
    /// <param name="model">The loaded model.</param>
    /// <param name="inputNames">Graph input names, in the order of <paramref name="inputs"/>.</param>
    /// <param name="inputs">Bound inputs.</param>
    /// <param name="outputNames">Graph output names, in the order of <paramref name="outputs"/>.</param>
    /// <param name="outputs">Bound outputs over caller buffers.</param>
    public PreparedRun(ModelSession model, string[] inputNames, BoundTensor[] inputs, string[] outputNames, BoundTensor[] outputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputNames);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputNames);
        ArgumentNullException.ThrowIfNull(outputs);
        _model = model;
        _tensors = [.. inputs, .. outputs];
        try
        {
            _binding = model.Session.CreateIoBinding();
            for (int i = 0; i < inputs.Length; i++)
            {
                _binding.BindInput(inputNames[i], inputs[i].Value);
            }

            for (int i = 0; i < outputs.Length; i++)
            {
                _binding.BindOutput(outputNames[i], outputs[i].Value);
            }
        }
        catch
        {
            _binding?.Dispose();
            DisposeTensors();
            throw;
        }
    }

    /// <summary>Disposes tensors bound so far when building a prepared run fails part way.</summary>
    /// <param name="inputs">The inputs (unbound entries are default and ignored).</param>
    /// <param name="outputs">The outputs (likewise).</param>
    public static void Release(BoundTensor[] inputs, BoundTensor[] outputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        foreach (var t in inputs)
        {
            t.Dispose();
        }

        foreach (var t in outputs)
        {
            t.Dispose();
        }
    }

    /// <summary>Runs the model on the bound buffers.</summary>
    public void Run()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _model.Session.RunWithBinding(_model.RunOptions, _binding);
    }

    /// <summary>Releases the binding and unpins the buffers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _binding.Dispose();
        DisposeTensors();
    }

    private void DisposeTensors()
    {
        foreach (var tensor in _tensors)
        {
            tensor.Dispose();
        }
    }
}
