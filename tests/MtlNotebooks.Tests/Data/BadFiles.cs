using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Json.Nodes;
using MtlNotebooks.Data;
using MtlNotebooks.Tests.Experiments;

namespace MtlNotebooks.Tests.Data;

/// <summary>Broken files in the real formats, made from valid ones the way they break in practice: cut short, a length
/// or header field garbled, a manifest field misspelt.</summary>
internal sealed class BadFiles : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("mtl-bad-").FullName;

    public string PathOf(string name) => Path.Combine(Folder, name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    /// <summary>Keeps the first <paramref name="fraction"/> of the file, as an interrupted copy or download does.</summary>
    public static void Cut(string path, double fraction) => CutTo(path, (int)(new FileInfo(path).Length * fraction));

    public static void CutTo(string path, int length) => File.WriteAllBytes(path, File.ReadAllBytes(path)[..length]);

    public static void Patch(string path, Action<byte[]> change)
    {
        var bytes = File.ReadAllBytes(path);
        change(bytes);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A JPEG written by SkiaSharp from noise (so the entropy-coded data is long and cutting it is visible).</summary>
    public string Jpeg(string name, int height = 48, int width = 64)
    {
        var rgb = new byte[height * width * 3];
        new Random(5).NextBytes(rgb);
        var path = PathOf(name);
        ImageIO.WriteJpeg(path, new RgbImage(rgb, height, width));
        return path;
    }

    /// <summary>An 8-bit grey PNG label map (8 × 12 by default) with values 0..39.</summary>
    public string Png(string name, int height = 8, int width = 12, int channels = 1)
    {
        var path = PathOf(name);
        ImageIO.WritePng(path, Enumerable.Range(0, height * width * channels).Select(i => (byte)(i % 40)).ToArray(), height, width, channels);
        return path;
    }

    /// <summary>The byte offset of the first chunk of <paramref name="type"/> in a PNG.</summary>
    public static int Chunk(byte[] png, string type)
    {
        for (int pos = 8; pos + 8 <= png.Length; pos += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos)))
            if (Encoding.ASCII.GetString(png, pos + 4, 4) == type) return pos;
        throw new InvalidOperationException($"no {type} chunk");
    }

    /// <summary>Recomputes the CRC of the chunk at <paramref name="pos"/>, so only the intended field is wrong.</summary>
    public static void FixCrc(byte[] png, int pos)
    {
        int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(pos + 8 + length), Crc32.HashToUInt32(png.AsSpan(pos + 4, 4 + length)));
    }

    /// <summary>A PNG whose chunks are all well formed but whose zlib stream holds only the first <paramref name="rows"/> rows.</summary>
    public string PngWithShortImageData(string name, int height, int width, int rows)
    {
        var raw = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(raw, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            for (int y = 0; y < rows; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(new byte[width]);
            }
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8;
        var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        foreach (var (type, data) in new[] { ("IHDR", ihdr), ("IDAT", raw.ToArray()), ("IEND", Array.Empty<byte>()) })
        {
            var chunk = new byte[12 + data.Length];
            BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
            Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
            data.CopyTo(chunk, 8);
            png.Write(chunk);
        }
        var bytes = png.ToArray();
        for (int pos = 8; pos < bytes.Length; pos += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos))) FixCrc(bytes, pos);
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A .npy file with the header dict <paramref name="dict"/> (padded as numpy pads it) and
    /// <paramref name="dataBytes"/> bytes of data.</summary>
    public string Npy(string name, string dict, int dataBytes)
    {
        var header = dict.PadRight((dict.Length + 11) / 64 * 64 + 64 - 11) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(new byte[dataBytes]);
        var path = PathOf(name);
        File.WriteAllBytes(path, [.. bytes]);
        return path;
    }

    /// <summary>A valid 8 × 12 float32 .npy file.</summary>
    public string Npy(string name, params int[] shape)
    {
        var path = PathOf(name);
        NpyFile.Write(path, new float[shape.Aggregate(1, (a, b) => a * b)], shape);
        return path;
    }

    /// <summary>A PASCAL-Context LabelMap file (6 × 10 doubles).</summary>
    public string Mat(string name, bool compress)
    {
        var path = PathOf(name);
        MatWriter.Write(path, compress, ("LabelMap", MatWriter.Matrix(Enumerable.Repeat(284.0, 60).ToArray(), 6, 10)));
        return path;
    }

    /// <summary>The real NYUD-v2 manifest as JSON, to change one field and save under <paramref name="name"/>.</summary>
    public string Manifest(string name, Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "data-manifests", "nyud-v2.json")))!.AsObject();
        change(json);
        var path = PathOf(name);
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    /// <summary>The task object named <paramref name="task"/> of a manifest.</summary>
    public static JsonObject Task(JsonObject manifest, string task) =>
        manifest["tasks"]!.AsArray().Select(t => t!.AsObject()).Single(t => (string?)t["name"] == task);
}
