using System.Collections;
using System.IO.Compression;
using System.IO.Hashing;
using Razorvine.Pickle;
using TorchSharp.PyBridge;

namespace MtlNotebooks.Weights;

/// <summary>Reads what <c>torch.save</c> writes, without Python: the zip format (PyTorch ≥ 1.6) and the legacy
/// format before it (torchvision's and the 2019 ImageNet files). Every pickle is first scanned by
/// <see cref="PickleScan"/>, every zip entry's checksum is verified and every storage's size is checked before
/// TorchSharp.PyBridge builds the tensors.</summary>
public static class TorchSaveFile
{
    /// <summary>The pickle every legacy file starts with: protocol 2, the magic number 0x1950a86a20f9469cfc6c.</summary>
    internal static readonly byte[] LegacyMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

    /// <summary>The object the file holds (a state dict or a checkpoint dictionary), with tensors in place, and the
    /// text keys of its dictionaries in the order the file sets them.</summary>
    public static (object Root, IReadOnlyList<string> KeyOrder) Read(string path, bool legacy)
    {
        try
        {
            return legacy ? ReadLegacy(path) : ReadZip(path);
        }
        catch (Exception e) when (e is PickleException or InvalidCastException or NotImplementedException or KeyNotFoundException
                                      or IndexOutOfRangeException or NullReferenceException or ArgumentException)
        {
            throw new InvalidDataException($"Weights file '{path}' is corrupt or not a saved state dict: {e.Message}", e);
        }
    }

    private static (object, IReadOnlyList<string>) ReadZip(string path)
    {
        PickleScan scan;
        using (var file = File.OpenRead(path))
        {
            using var archive = OpenZip(file, path);
            var pickles = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl").ToArray();
            if (pickles.Length != 1) throw new InvalidDataException($"Weights file '{path}' is a zip file but not one torch.save wrote (it has {pickles.Length} data.pkl entries).");
            foreach (var entry in archive.Entries) VerifyChecksum(entry, path);
            var prefix = pickles[0].FullName[..^"data.pkl".Length];
            using var pickle = new MemoryStream();
            using (var s = pickles[0].Open()) s.CopyTo(pickle);
            pickle.Position = 0;
            scan = PickleScan.Run(pickle, path);
            foreach (var (key, type, count) in scan.Storages)
            {
                var entry = archive.GetEntry($"{prefix}data/{key}")
                    ?? throw new InvalidDataException($"Weights file '{path}' is corrupt: storage '{key}' is named but not stored.");
                if (count >= 0 && entry.Length != count * ElementSize(type, path))
                    throw new InvalidDataException($"Weights file '{path}' is corrupt: storage '{key}' holds {entry.Length} bytes, not the {count} × {ElementSize(type, path)} its tensor needs.");
            }
        }

        return (PyTorchUnpickler.UnpickleStateDict(path), scan.DictionaryKeys);
    }

    private static ZipArchive OpenZip(Stream stream, string path)
    {
        try { return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"Weights file '{path}' is corrupt or truncated: {e.Message}", e); }
    }

    /// <summary>A flipped bit anywhere in a zip-format file fails here, naming the entry.</summary>
    private static void VerifyChecksum(ZipArchiveEntry entry, string path)
    {
        var crc = new Crc32();
        try
        {
            using var data = entry.Open();
            crc.Append(data);
        }
        catch (InvalidDataException e) { throw new InvalidDataException($"Weights file '{path}' is corrupt: entry '{entry.FullName}' cannot be read ({e.Message}).", e); }
        if (crc.GetCurrentHashAsUInt32() != entry.Crc32)
            throw new InvalidDataException($"Weights file '{path}' is corrupt: entry '{entry.FullName}' fails its checksum.");
    }

    /// <summary>The legacy layout: magic, protocol version, system info, the object, the storage keys, then each
    /// storage as an 8-byte element count and its bytes. Rewritten as the zip layout in memory and read as such.</summary>
    private static (object, IReadOnlyList<string>) ReadLegacy(string path)
    {
        using var file = File.OpenRead(path);
        for (int i = 0; i < 3; i++) PickleScan.Run(file, path);       // magic, protocol version, system info
        long start = file.Position;
        var scan = PickleScan.Run(file, path);
        var main = Slice(file, start);
        start = file.Position;
        PickleScan.Run(file, path);
        using var unpickler = new Unpickler();
        var keys = unpickler.loads(Slice(file, start)) as ArrayList
            ?? throw new InvalidDataException($"Weights file '{path}' is corrupt: its storage list is not a list.");
        var types = scan.Storages.GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.First().StorageType);

        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(archive, "archive/data.pkl", main);
            var header = new byte[8];
            foreach (string key in keys)
            {
                if (!types.TryGetValue(key, out var type))
                    throw new InvalidDataException($"Weights file '{path}' is corrupt: storage '{key}' is stored but never used.");
                ReadExactly(file, header, path);
                long bytes = BitConverter.ToInt64(header) * ElementSize(type, path);
                if (bytes < 0 || bytes > file.Length - file.Position)
                    throw new InvalidDataException($"Weights file '{path}' is truncated: storage '{key}' needs {bytes} bytes, {file.Length - file.Position} remain.");
                var data = new byte[bytes];
                ReadExactly(file, data, path);
                Add(archive, $"archive/data/{key}", data);
            }
        }

        zip.Position = 0;
        return (PyTorchUnpickler.UnpickleStateDict(zip, leaveOpen: true), scan.DictionaryKeys);
    }

    private static byte[] Slice(Stream stream, long start)
    {
        long end = stream.Position;
        var bytes = new byte[end - start];
        stream.Position = start;
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string path)
    {
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException e) { throw new InvalidDataException($"Weights file '{path}' is truncated.", e); }
    }

    private static void Add(ZipArchive archive, string name, byte[] data)
    {
        using var stream = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(data);
    }

    private static int ElementSize(string storageType, string path) => storageType switch
    {
        "DoubleStorage" or "LongStorage" => 8,
        "FloatStorage" or "IntStorage" => 4,
        "HalfStorage" or "BFloat16Storage" or "ShortStorage" => 2,
        "CharStorage" or "ByteStorage" or "BoolStorage" => 1,
        _ => throw new InvalidDataException($"Weights file '{path}' stores a {storageType}, which is not read."),
    };
}
