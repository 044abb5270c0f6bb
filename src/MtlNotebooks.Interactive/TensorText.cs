using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Interactive;

/// <summary>A tensor as notebook text: shape, dtype and device on the first line, then the values (all of them up to
/// <see cref="FullLimit"/> elements, nested like PyTorch prints them; otherwise min/max/mean and the first values).
/// Never copies more than <see cref="FullLimit"/> values to the managed side besides the statistics.</summary>
public static class TensorText
{
    public const int FullLimit = 64;
    private const int Head = 12;

    public static string Header(Tensor tensor) =>
        $"tensor [{string.Join(", ", tensor.shape)}] {DTypeName(tensor.dtype)} on {tensor.device}" +
        (tensor.requires_grad ? ", requires grad" : "");

    public static string Format(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.IsInvalid)
            return "tensor (disposed)";
        var text = new StringBuilder(Header(tensor));
        if (tensor.dtype is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64)
            return text.ToString();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var flat = tensor.detach().cpu().to_type(ScalarType.Float64).flatten();
        var count = flat.numel();
        if (count == 0)
            return text.Append("\n[]").ToString();
        if (count <= FullLimit)
        {
            var values = flat.data<double>().ToArray();
            text.Append('\n');
            var shape = tensor.shape.Select(s => (int)s).ToArray();
            int index = 0;
            Nested(text, values, shape, 0, ref index);
            return text.ToString();
        }

        if (tensor.dtype != ScalarType.Bool)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\nmin {Number(flat.min().item<double>())}  max {Number(flat.max().item<double>())}  mean {Number(flat.mean().item<double>())}");
        }

        var head = flat[..Head].data<double>().ToArray();
        text.Append("\n[").Append(string.Join(", ", head.Select(Number))).Append(CultureInfo.InvariantCulture, $", …] (first {Head} of {count:N0} values, row-major)");
        return text.ToString();
    }

    private static void Nested(StringBuilder text, double[] values, int[] shape, int dim, ref int index)
    {
        if (dim == shape.Length)
        {
            text.Append(Number(values[index++]));
            return;
        }

        text.Append('[');
        for (int i = 0; i < shape[dim]; i++)
        {
            if (i > 0) text.Append(dim == shape.Length - 1 ? ", " : ",\n" + new string(' ', dim + 1));
            Nested(text, values, shape, dim + 1, ref index);
        }
        text.Append(']');
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string DTypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Int16 => "int16",
        ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8",
        ScalarType.Bool => "bool",
        _ => type.ToString(),
    };
}
