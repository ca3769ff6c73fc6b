using Quantize.Core.Onnx;
using DataType = Quantize.Core.Onnx.TensorProto.Types.DataType;

namespace Quantize.Testing.TestModels;

public static partial class TestModelCatalog
{
    /// <summary>x[dims] → Identity → y: calibrating it observes exactly the fed distribution.</summary>
    public static ModelProto Identity(params object[] dims)
    {
        var b = new ModelBuilder(13);
        var x = b.Input("x", DataType.Float, dims);
        b.Node("Identity", [x], "identity", "y");
        b.Output("y", DataType.Float, dims);
        return b.Model;
    }

    /// <summary>a[1,4] + b[1,4] → Add → y: a model with two inputs.</summary>
    public static ModelProto TwoInputs()
    {
        var b = new ModelBuilder(13);
        var a = b.Input("a", DataType.Float, 1, 4);
        var c = b.Input("b", DataType.Float, 1, 4);
        b.Node("Add", [a, c], "add", "y");
        b.Output("y", DataType.Float, 1, 4);
        return b.Model;
    }

    /// <summary>The three int64 inputs of a BERT encoder feeding a Cast (enough to check text calibration data).</summary>
    public static ModelProto BertInputs()
    {
        var b = new ModelBuilder(13);
        var ids = b.Input("input_ids", DataType.Int64, 1, "seq");
        b.Input("attention_mask", DataType.Int64, 1, "seq");
        b.Input("token_type_ids", DataType.Int64, 1, "seq");
        b.Node("Cast", [ids], "cast", "y", ModelBuilder.Int("to", (long)DataType.Float));
        b.Output("y", DataType.Float, 1, "seq");
        return b.Model;
    }
}
