using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MtlNotebooks.Kernel;

/// <summary>The frames of a message on the wire: routing identities, the <c>&lt;IDS|MSG&gt;</c> delimiter, the HMAC
/// signature, header, parent header, metadata, content, then binary buffers (ignored here).</summary>
public static class WireFormat
{
    public static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();

    /// <summary>Parses and authenticates a message; a malformed or wrongly signed one throws
    /// <see cref="InvalidMessageException"/>.</summary>
    public static JupyterMessage Parse(IReadOnlyList<byte[]> frames, MessageSigner signer)
    {
        var delimiter = -1;
        for (var i = 0; i < frames.Count; i++)
            if (frames[i].AsSpan().SequenceEqual(Delimiter)) { delimiter = i; break; }
        if (delimiter < 0) throw new InvalidMessageException($"no <IDS|MSG> delimiter among its {frames.Count} frames");
        if (frames.Count < delimiter + 6) throw new InvalidMessageException($"{frames.Count - delimiter - 1} frames after the delimiter; at least 5 are needed");
        var signature = Encoding.ASCII.GetString(frames[delimiter + 1]);
        var parts = frames.Skip(delimiter + 2).Take(4).ToArray();
        if (!signer.Verify(signature, parts)) throw new InvalidMessageException("wrong HMAC signature");
        var identities = frames.Take(delimiter).ToArray();
        var message = new JupyterMessage(identities, Object(parts[0], "header"), Object(parts[1], "parent header"), Object(parts[2], "metadata"),
            Object(parts[3], "content"));
        if (message.Type.Length == 0) throw new InvalidMessageException("its header has no msg_type");
        return message;
    }

    /// <summary>The frames of <paramref name="message"/>, signed; <paramref name="topic"/> replaces the identities
    /// (iopub messages are published under a topic).</summary>
    public static List<byte[]> Serialize(JupyterMessage message, MessageSigner signer, byte[]? topic = null)
    {
        var parts = new[] { Bytes(message.Header), Bytes(message.ParentHeader), Bytes(message.Metadata), Bytes(message.Content) };
        var frames = new List<byte[]>();
        if (topic is not null) frames.Add(topic);
        else frames.AddRange(message.Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(parts)));
        frames.AddRange(parts);
        return frames;
    }

    private static byte[] Bytes(JsonObject json) => Encoding.UTF8.GetBytes(json.ToJsonString());

    private static JsonObject Object(byte[] bytes, string what)
    {
        try
        {
            return JsonNode.Parse(bytes) as JsonObject ?? throw new InvalidMessageException($"its {what} is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidMessageException($"its {what} is not JSON ({ex.Message})");
        }
    }
}
