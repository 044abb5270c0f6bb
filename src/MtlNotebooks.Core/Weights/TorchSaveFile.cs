using System.Collections;
using System.IO.Compression;
using System.IO.Hashing;
using Razorvine.Pickle;
using TorchSharp.PyBridge;

namespace MtlNotebooks.Weights;

/// <summary>Reads what <c>torch.save</c> writes, without Python: the zip format (PyTorch ≥ 1.6) and the legacy
/// format before it (torchvision's and the 2019 ImageNet files). Both are first taken apart here: the object's pickle
/// is scanned by <see cref="PickleScan"/> (no global outside torch.save's own, no tensor larger than its storage),
/// every storage is checked against its size (and, in a zip, its checksum), and only then are exactly those bytes,
/// laid out as a fresh in-memory zip, handed to TorchSharp.PyBridge to build the tensors.</summary>
public static class TorchSaveFile
{
    /// <summary>The pickle every legacy file starts with: protocol 2, the magic number 0x1950a86a20f9469cfc6c.</summary>
    internal static readonly byte[] LegacyMagic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];

    /// <summary>The object the file holds (a state dict or a checkpoint dictionary), with tensors in place, and the
    /// text keys of its dictionaries in the order the file sets them.</summary>
    public static (object Root, IReadOnlyList<string> KeyOrder) Read(string path, bool legacy)
    {
        var (pickle, storages, scan) = legacy ? TakeApartLegacy(path) : TakeApartZip(path);
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(archive, "archive/data.pkl", pickle);
            foreach (var (key, data) in storages) Add(archive, $"archive/data/{key}", data);
        }

        zip.Position = 0;
        try
        {
            return (PyTorchUnpickler.UnpickleStateDict(zip, leaveOpen: true), scan.DictionaryKeys);
        }
        catch (Exception e) when (e is PickleException or InvalidCastException or NotImplementedException or KeyNotFoundException
                                      or IndexOutOfRangeException or NullReferenceException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"Weights file '{path}' is corrupt or not a saved state dict: {e.Message}", e);
        }
    }

    private static (byte[], Dictionary<string, byte[]>, PickleScan) TakeApartZip(string path)
    {
        using var file = File.OpenRead(path);
        using var archive = OpenZip(file, path);
        var pickles = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) || e.FullName == "data.pkl").ToArray();
        if (pickles.Length != 1) throw new InvalidDataException($"Weights file '{path}' is a zip file but not one torch.save wrote (it has {pickles.Length} data.pkl entries).");
        var prefix = pickles[0].FullName[..^"data.pkl".Length];
        // torch.save stores its entries; other writers deflate them. Inflated data is bounded, so that a small file
        // cannot claim gigabytes (a zip bomb).
        long inflated = archive.Entries.Where(e => e.CompressedLength != e.Length).Sum(e => e.Length);
        if (inflated > InflationLimit(file.Length))
            throw new InvalidDataException($"Weights file '{path}' inflates to {inflated:N0} bytes, more than {InflationLimit(file.Length):N0} for a file of {file.Length:N0}: not read.");
        var pickle = ReadEntry(pickles[0], path);
        var scan = PickleScan.Run(new MemoryStream(pickle), path);
        var storages = new Dictionary<string, byte[]>();
        foreach (var (key, type, count) in scan.Storages.DistinctBy(s => s.Key))
        {
            var entry = archive.GetEntry($"{prefix}data/{key}")
                ?? throw new InvalidDataException($"Weights file '{path}' is corrupt: storage '{key}' is named but not stored.");
            long expected = Bytes(count, type, key, path);
            if (entry.Length != expected)
                throw new InvalidDataException($"Weights file '{path}' is corrupt: storage '{key}' holds {entry.Length} bytes, not the {expected} its {count} elements need.");
            storages[key] = ReadEntry(entry, path);
        }
        return (pickle, storages, scan);
    }

    private static ZipArchive OpenZip(Stream stream, string path)
    {
        try { return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new InvalidDataException($"Weights file '{path}' is corrupt or truncated: {e.Message}", e); }
    }

    /// <summary>How much compressed entries may inflate to: 16 times the file, and 64 MiB more.</summary>
    private static long InflationLimit(long fileLength) => 16 * fileLength + (64L << 20);

    /// <summary>An entry's bytes, its checksum verified: a flipped bit anywhere is named.</summary>
    private static byte[] ReadEntry(ZipArchiveEntry entry, string path)
    {
        var bytes = new byte[entry.Length];
        try
        {
            using var data = entry.Open();
            data.ReadExactly(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"Weights file '{path}' is corrupt: entry '{entry.FullName}' cannot be read ({e.Message}).", e);
        }
        if (Crc32.HashToUInt32(bytes) != entry.Crc32)
            throw new InvalidDataException($"Weights file '{path}' is corrupt: entry '{entry.FullName}' fails its checksum.");
        return bytes;
    }

    /// <summary>The legacy layout: magic, protocol version, system info, the object, the storage keys, then each
    /// storage as an 8-byte element count and its bytes. No checksums: a flipped bit in the data is not detectable.</summary>
    private static (byte[], Dictionary<string, byte[]>, PickleScan) TakeApartLegacy(string path)
    {
        using var file = File.OpenRead(path);
        for (int i = 0; i < 3; i++) PickleScan.Run(file, path);       // magic, protocol version, system info
        long start = file.Position;
        var scan = PickleScan.Run(file, path);
        var main = Slice(file, start);
        start = file.Position;
        PickleScan.Run(file, path);
        ArrayList keys;
        using (var unpickler = new Unpickler())
            keys = unpickler.loads(Slice(file, start)) as ArrayList
                   ?? throw new InvalidDataException($"Weights file '{path}' is corrupt: its storage list is not a list.");
        var named = scan.Storages.GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.First());
        var storages = new Dictionary<string, byte[]>();
        var header = new byte[8];
        foreach (var item in keys)
        {
            if (item is not string key || !named.TryGetValue(key, out var storage) || storages.ContainsKey(key))
                throw new InvalidDataException($"Weights file '{path}' is corrupt: its storage list names '{item}', which the object does not use once.");
            ReadExactly(file, header, path);
            long count = BitConverter.ToInt64(header);
            if (count != storage.Count)
                throw new InvalidDataException($"Weights file '{path}' is corrupt: storage '{key}' stores {count} elements, its tensors were saved with {storage.Count}.");
            long bytes = Bytes(count, storage.StorageType, key, path);
            if (bytes > file.Length - file.Position)
                throw new InvalidDataException($"Weights file '{path}' is truncated: storage '{key}' needs {bytes} bytes, {file.Length - file.Position} remain.");
            storages[key] = new byte[bytes];
            ReadExactly(file, storages[key], path);
        }
        if (storages.Count != named.Count)
            throw new InvalidDataException($"Weights file '{path}' is corrupt: {named.Count - storages.Count} storages its tensors use are not stored.");
        return (main, storages, scan);
    }

    private static long Bytes(long count, string storageType, string key, string path)
    {
        try { return checked(count * PickleScan.ElementSize(storageType, path)); }
        catch (OverflowException) { throw new InvalidDataException($"Weights file '{path}' is corrupt: storage '{key}' claims {count} elements."); }
    }

    private static byte[] Slice(Stream stream, long start)
    {
        var bytes = new byte[stream.Position - start];
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
}
