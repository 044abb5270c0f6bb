using System.Text.Json;
using System.Text.Json.Serialization;

namespace MtlNotebooks.Kernel;

/// <summary>A Jupyter connection file: where the five channels listen and the key that signs every message
/// (jupyter_client writes it and passes its path as <c>{connection_file}</c>).</summary>
public sealed record ConnectionInfo
{
    [JsonPropertyName("transport")] public string Transport { get; init; } = "tcp";
    [JsonPropertyName("ip")] public string Ip { get; init; } = "127.0.0.1";
    [JsonPropertyName("shell_port")] public int ShellPort { get; init; }
    [JsonPropertyName("control_port")] public int ControlPort { get; init; }
    [JsonPropertyName("iopub_port")] public int IopubPort { get; init; }
    [JsonPropertyName("stdin_port")] public int StdinPort { get; init; }
    [JsonPropertyName("hb_port")] public int HeartbeatPort { get; init; }
    [JsonPropertyName("key")] public string Key { get; init; } = "";
    [JsonPropertyName("signature_scheme")] public string SignatureScheme { get; init; } = "hmac-sha256";

    /// <summary>Reads and checks a connection file; the message names the file and what is wrong.</summary>
    public static ConnectionInfo Load(string path)
    {
        ConnectionInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<ConnectionInfo>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a Jupyter connection file ({ex.Message}).", ex);
        }

        if (info is null) throw new InvalidDataException($"{path}: empty connection file.");
        var problems = info.Problems().ToList();
        if (problems.Count > 0) throw new InvalidDataException($"{path}: {string.Join("; ", problems)}.");
        return info;
    }

    /// <summary>The endpoint of one channel, e.g. <c>tcp://127.0.0.1:50123</c>.</summary>
    public string Endpoint(int port) => $"{Transport}://{Ip}:{port}";

    private IEnumerable<string> Problems()
    {
        if (Transport != "tcp") yield return $"transport '{Transport}' is not supported (the kernel listens on tcp)";
        if (SignatureScheme is not ("hmac-sha256" or "")) yield return $"signature scheme '{SignatureScheme}' is not supported (hmac-sha256 is)";
        foreach (var (name, port) in new[] { ("shell_port", ShellPort), ("control_port", ControlPort), ("iopub_port", IopubPort), ("stdin_port", StdinPort), ("hb_port", HeartbeatPort) })
            if (port is <= 0 or > 65535) yield return $"{name} {port} is not a port";
    }
}
