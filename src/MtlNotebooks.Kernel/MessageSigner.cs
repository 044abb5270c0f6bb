using System.Security.Cryptography;
using System.Text;

namespace MtlNotebooks.Kernel;

/// <summary>HMAC-SHA256 over a message's header, parent header, metadata and content, hex-encoded, with the connection
/// file's key; an empty key means unsigned messages (signature "").</summary>
public sealed class MessageSigner(string key)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public string Sign(IEnumerable<byte[]> parts)
    {
        if (_key.Length == 0) return "";
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        foreach (var part in parts) hmac.AppendData(part);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>Whether <paramref name="signature"/> is the parts' signature (constant-time comparison).</summary>
    public bool Verify(string signature, IEnumerable<byte[]> parts)
    {
        var expected = Encoding.ASCII.GetBytes(Sign(parts));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
