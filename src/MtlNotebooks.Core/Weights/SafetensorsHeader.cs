using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace MtlNotebooks.Weights;

/// <summary>A <c>.safetensors</c> file's header, checked against the file before anything is allocated: a header that
/// lies about offsets, sizes or types is refused with the tensor it lies about (the format's own rules: tensors
/// back to back, in bounds, each exactly its shape × element size).</summary>
public static class SafetensorsHeader
{
    private const long MaxHeader = 100L << 20;

    /// <summary>The tensors the header describes, in file order.</summary>
    public static IReadOnlyList<StoredTensor> Read(string path)
    {
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    internal static IReadOnlyList<StoredTensor> Read(Stream file, string path)
    {
        var prefix = new byte[8];
        if (file.Read(prefix) != 8) throw Lie(path, "it is shorter than a header length");
        long headerLength = BitConverter.ToInt64(prefix);
        if (headerLength <= 0 || headerLength > MaxHeader || headerLength > file.Length - 8)
            throw Lie(path, $"its header claims {headerLength} bytes in a file of {file.Length}");
        var header = new byte[headerLength];
        file.ReadExactly(header);
        long dataLength = file.Length - 8 - headerLength;

        JsonDocument document;
        try { document = JsonDocument.Parse(Encoding.UTF8.GetString(header)); }
        catch (JsonException e) { throw Lie(path, $"its header is not JSON ({e.Message})"); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Lie(path, "its header is not a JSON object");
            var entries = new List<(StoredTensor Tensor, long Begin, long End)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") continue;
                entries.Add(Entry(property, path));
            }

            long expected = 0;
            foreach (var (tensor, begin, end) in entries.OrderBy(e => e.Begin))
            {
                if (begin != expected) throw Lie(path, $"tensor '{tensor.Name}' starts at byte {begin}, not {expected} (tensors must be back to back)");
                long bytes;
                try { bytes = checked(tensor.Shape.Aggregate(1L, (a, b) => checked(a * b)) * ElementSize(tensor.Type)); }
                catch (OverflowException) { throw Lie(path, $"tensor '{tensor.Name}' [{string.Join(", ", tensor.Shape)}] is larger than any file"); }
                if (end - begin != bytes) throw Lie(path, $"tensor '{tensor.Name}' [{string.Join(", ", tensor.Shape)}] needs {bytes} bytes, its offsets give {end - begin}");
                expected = end;
            }

            if (expected != dataLength) throw Lie(path, $"its tensors cover {expected} bytes of the {dataLength} after the header");
            return [.. entries.OrderBy(e => e.Begin).Select(e => e.Tensor)];
        }
    }

    private static (StoredTensor, long, long) Entry(JsonProperty property, string path)
    {
        try
        {
            var value = property.Value;
            var type = TypeOf(value.GetProperty("dtype").GetString(), property.Name, path);
            var shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (shape.Any(d => d < 0) || offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                throw Lie(path, $"tensor '{property.Name}' has a negative size or bad offsets");
            return (new StoredTensor(property.Name, type, shape), offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw Lie(path, $"tensor '{property.Name}' lacks a valid dtype, shape or data_offsets");
        }
    }

    private static ScalarType TypeOf(string? name, string tensor, string path) => name switch
    {
        "F64" => ScalarType.Float64, "F32" => ScalarType.Float32, "F16" => ScalarType.Float16, "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64, "I32" => ScalarType.Int32, "I16" => ScalarType.Int16, "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte, "BOOL" => ScalarType.Bool,
        _ => throw Lie(path, $"tensor '{tensor}' has the element type '{name}', which is not read"),
    };

    internal static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new InvalidDataException($"Tensors of element type {type} are not read or written."),
    };

    private static InvalidDataException Lie(string path, string what) => new($"Safetensors file '{path}' is refused: {what}.");
}
