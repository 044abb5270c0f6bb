using System.Security.Cryptography;
using System.Text;
using static TorchSharp.torch;

namespace MtlNotebooks.Weights;

/// <summary>The container of a training run's checkpoint (<c>.ckpt</c>): magic, payload length, payload, SHA-256 of the
/// payload; the payload opens with the run's info as a JSON string and the network in TorchSharp's format. It lives with
/// the weight formats, below training, so that reading a run's weights needs nothing of the trainer; what the trainer
/// stores after the network (optimiser and balancer state) is the trainer's own.</summary>
internal static class CheckpointFile
{
    public static readonly byte[] Magic = "MTLCKPT1"u8.ToArray();
    private const int HashLength = 32;

    /// <summary>Writes the whole container around <paramref name="payload"/>.</summary>
    public static void Write(Stream stream, byte[] payload)
    {
        stream.Write(Magic);
        stream.Write(BitConverter.GetBytes((long)payload.Length));
        stream.Write(payload);
        stream.Write(SHA256.HashData(payload));
    }

    /// <summary>The payload, once magic, length and checksum agree; otherwise <paramref name="fail"/>'s exception, given
    /// the reason in words that follow the file's name.</summary>
    public static byte[] ReadPayload(string path, Func<string, Exception> fail)
    {
        if (!File.Exists(path)) throw fail("does not exist.");
        var file = File.ReadAllBytes(path);
        int header = Magic.Length + sizeof(long);
        if (file.Length < header || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw fail($"is not an MtlNotebooks checkpoint (it does not start with '{Encoding.ASCII.GetString(Magic)}').");
        long length = BitConverter.ToInt64(file, Magic.Length);
        long expected = header + length + HashLength;
        // A negative or far-beyond-the-file length is a damaged header, not a checkpoint of that size; a plausible one that
        // the file falls short of is a truncation (below).
        if (length < 0 || length > Math.Max(64L * file.Length, 1L << 26))
            throw fail($"is corrupt: its length field says {length:N0} bytes of data, but the whole file has {file.Length:N0}.");
        if (file.Length != expected)
            throw fail($"is truncated or padded: expected {expected:N0} bytes, found {file.Length:N0}.");
        var payload = file.AsSpan(header, (int)length);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(file.AsSpan(header + (int)length, HashLength)))
            throw fail("is corrupt: its SHA-256 checksum does not match its contents.");
        return payload.ToArray();
    }

    /// <summary>The network's state dict alone, after the integrity checks; the info string is skipped unread.</summary>
    public static Dictionary<string, Tensor> ReadNetwork(string path, Func<string, Exception> fail)
    {
        using var reader = new BinaryReader(new MemoryStream(ReadPayload(path, fail)), Encoding.UTF8);
        try
        {
            reader.ReadString();
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException)
        {
            throw fail($"has an unreadable header: {ex.Message}");
        }
        return StateDictFile.ReadTorchSharp(reader, path);
    }
}
