using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests;

/// <summary>Reads the PyTorch reference fixtures under Fixtures/ (written by the make_*_fixtures.py scripts), loads
/// their weights into a module and compares with them.</summary>
internal static class PyTorchFixtures
{
    /// <summary>A tensor as the fixture scripts store it: its shape and its little-endian float32 values in base64.</summary>
    internal sealed record StoredTensor(long[] Shape, string Data)
    {
        public Tensor ToTensor()
        {
            var bytes = Convert.FromBase64String(Data);
            var values = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            return tensor(values, Shape);
        }
    }

    /// <summary>A fixture by file name; a name ending in .gz is read through gzip (the larger fixtures are stored so).</summary>
    public static T Load<T>(string name)
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
        using Stream json = name.EndsWith(".gz", StringComparison.Ordinal) ? new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress) : file;
        return JsonSerializer.Deserialize<T>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    }

    /// <summary>Asserts that <paramref name="module"/> has exactly the fixture's state-dict keys (BN step counters aside),
    /// copies the values in and switches to evaluation mode.</summary>
    public static void CopyState(nn.Module module, IReadOnlyDictionary<string, Func<Tensor>> state)
    {
        var ours = module.state_dict();
        var keys = ours.Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Order().ToArray();
        Assert.Equal(state.Keys.Order().ToArray(), keys);
        using (no_grad())
            foreach (var (name, value) in state)
            {
                using var stored = value();
                ours[name].copy_(stored);
            }
        module.eval();
    }

    /// <summary>The fixture file <paramref name="name"/> as a JSON document.</summary>
    public static JsonElement Json(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name))).RootElement;

    /// <summary>A float32 tensor from nested JSON arrays (or a number).</summary>
    public static Tensor ToTensor(JsonElement element)
    {
        var shape = new List<long>();
        for (var e = element; e.ValueKind == JsonValueKind.Array; e = e[0]) shape.Add(e.GetArrayLength());
        var values = new List<float>();
        void Flatten(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) foreach (var child in e.EnumerateArray()) Flatten(child);
            else values.Add(float.Parse(e.GetRawText(), System.Globalization.CultureInfo.InvariantCulture));
        }
        Flatten(element);
        return tensor(values.ToArray()).reshape([.. shape]);
    }

    /// <summary>The fixture's "tasks" array.</summary>
    public static string[] Tasks(JsonElement fixture) => [.. fixture.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()!)];

    /// <summary>Same shape and every element within 1e-4 of PyTorch's.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double difference = (expected - actual.detach()).abs().max().item<float>();
        Assert.True(difference < 1e-4, $"{what}: max |PyTorch − ours| = {difference:g3}");
    }

    /// <summary>SHA-256 of the sorted "key TAB shape" lines, num_batches_tracked left out (as the fixture scripts compute it).</summary>
    public static string StateDictDigest(nn.Module module) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
        module.state_dict().Where(e => !e.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Select(e => $"{e.Key}\t{string.Join(",", e.Value.shape)}").Order(StringComparer.Ordinal)))));
}
