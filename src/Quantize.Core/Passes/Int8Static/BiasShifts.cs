namespace Quantize.Core.Passes.Int8Static;

/// <summary>
/// The mean output errors bias correction measured, by node name, kept for every quantization of one calibration:
/// mixed-precision attempts and the collapse guard's probes quantize the same model again with a few nodes in float,
/// and measuring again (several seconds on MLSD, each time) would multiply their cost. A later quantization applies
/// these shifts; the few layers downstream of a node it keeps in float are then corrected for errors measured with
/// that node quantized, a small over-correction in exchange.
/// </summary>
internal sealed class BiasShifts
{
    private readonly Dictionary<string, double[]> _errors = new(StringComparer.Ordinal);

    /// <summary>The calibration samples the errors were measured on.</summary>
    public int Samples { get; set; }

    /// <summary>The mean error per output channel of <paramref name="node"/>, when measured.</summary>
    public bool TryGet(string node, out double[] errors) => _errors.TryGetValue(node, out errors!);

    /// <summary>Records the mean error per output channel of <paramref name="node"/>.</summary>
    public void Set(string node, double[] errors) => _errors[node] = errors;
}
