using System.ComponentModel;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Quantize.Runtime;

/// <summary>The output values of one run, owned together and released together.</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // called by generated code; not for IntelliSense
public sealed class OutputSet : IDisposable
{
    private readonly IDisposable? _owner;

    private OutputSet(OrtValue[] values, IDisposable? owner)
    {
        Values = values;
        _owner = owner;
    }

    /// <summary>The values, in the order the outputs were requested.</summary>
    public OrtValue[] Values { get; }

    /// <summary>One value.</summary>
    /// <param name="index">Its position.</param>
    public OrtValue this[int index] => Values[index];

    /// <summary>Takes ownership of the values ONNX Runtime returned from a run.</summary>
    /// <param name="values">The run's results.</param>
    /// <returns>The set.</returns>
    public static OutputSet From(IDisposableReadOnlyCollection<OrtValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var array = new OrtValue[values.Count];
        int i = 0;
        foreach (var value in values)
        {
            array[i++] = value;
        }

        return new OutputSet(array, values);
    }

    /// <summary>Allocates output tensors natively for runs that need pre-allocated outputs (async runs).</summary>
    /// <param name="types">Each output's element type.</param>
    /// <param name="shapes">Each output's shape.</param>
    /// <returns>The set.</returns>
    public static OutputSet Allocate(TensorElementType[] types, long[][] shapes)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(shapes);
        var values = new OrtValue[types.Length];
        try
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = BoundTensor.Allocate(types[i], shapes[i]);
            }
        }
        catch
        {
            foreach (var v in values)
            {
                v?.Dispose();
            }

            throw;
        }

        return new OutputSet(values, null);
    }

    /// <summary>Releases every value.</summary>
    public void Dispose()
    {
        if (_owner is not null)
        {
            _owner.Dispose();
            return;
        }

        foreach (var v in Values)
        {
            v.Dispose();
        }
    }
}
