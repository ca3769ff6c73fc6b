namespace Quantize.Core;

/// <summary>The higher precisions a node can be kept in while the rest of the model is quantized.</summary>
public enum LayerPrecision
{
    /// <summary>Left as it is in the float model (the same as excluding it).</summary>
    Fp32,

    /// <summary>Converted to float16 after the main pass, with Casts where it meets float32 tensors.</summary>
    Fp16,

    /// <summary>In an INT4 model: a MatMul weight in 8-bit blocks (MatMulNBits with bits = 8) instead of 4-bit ones.</summary>
    Int8,
}
