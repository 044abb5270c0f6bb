using System.Globalization;
using System.Text.Json.Nodes;

namespace MtlNotebooks.Kernel;

/// <summary>One message of the Jupyter messaging protocol: the routing identities it came with, and its four JSON
/// parts.</summary>
public sealed record JupyterMessage(IReadOnlyList<byte[]> Identities, JsonObject Header, JsonObject ParentHeader, JsonObject Metadata, JsonObject Content)
{
    public const string ProtocolVersion = "5.3";

    public string Type => (string?)Header["msg_type"] ?? "";

    public string Id => (string?)Header["msg_id"] ?? "";

    /// <summary>A new message of <paramref name="type"/> in <paramref name="session"/>, child of <paramref name="parent"/>
    /// (null: none), routed to the parent's identities.</summary>
    public static JupyterMessage Create(string type, JsonObject content, string session, JupyterMessage? parent, JsonObject? metadata = null)
    {
        var header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString("N"),
            ["session"] = session,
            ["username"] = "kernel",
            ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            ["msg_type"] = type,
            ["version"] = ProtocolVersion,
        };
        var parentHeader = parent?.Header.DeepClone().AsObject() ?? new JsonObject();
        return new JupyterMessage(parent?.Identities ?? [], header, parentHeader, metadata ?? new JsonObject(), content);
    }
}
