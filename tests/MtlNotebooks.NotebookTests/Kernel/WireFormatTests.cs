using System.Text;
using System.Text.Json.Nodes;
using MtlNotebooks.Kernel;

namespace MtlNotebooks.NotebookTests.Kernel;

/// <summary>Messages on the wire: signed as jupyter_client signs them, and rejected when malformed or wrongly signed.</summary>
public sealed class WireFormatTests
{
    private static readonly MessageSigner Signer = new("secret");

    private static List<byte[]> Frames(MessageSigner signer) =>
        WireFormat.Serialize(JupyterMessage.Create("kernel_info_request", new JsonObject(), "s", null), signer);

    [Fact]
    public void Serialize_ThenParse_GivesTheMessageBack()
    {
        var message = WireFormat.Parse(Frames(Signer), Signer);

        Assert.Equal("kernel_info_request", message.Type);
        Assert.Equal(JupyterMessage.ProtocolVersion, (string?)message.Header["version"]);
    }

    [Fact]
    public void Sign_IsHexHmacSha256OfTheFourParts()
    {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'secret', b'{}{}{}{}', hashlib.sha256).hexdigest())"
        var parts = Enumerable.Repeat("{}"u8.ToArray(), 4).ToArray();

        Assert.Equal("34982f0bfec60e7b933ffde06c1ecab0fba073717a95ab943d1dd06f82c2d5e4", Signer.Sign(parts));
        Assert.Equal("", new MessageSigner("").Sign(parts));
    }

    [Fact]
    public void Parse_WrongSignature_IsRejected()
    {
        var frames = Frames(new MessageSigner("another key"));

        var ex = Assert.Throws<InvalidMessageException>(() => WireFormat.Parse(frames, Signer));
        Assert.Contains("signature", ex.Message);
    }

    [Theory]
    [InlineData("no delimiter")]
    [InlineData("too few frames")]
    [InlineData("not json")]
    public void Parse_MalformedMessage_IsRejected(string how)
    {
        var frames = Frames(Signer);
        switch (how)
        {
            case "no delimiter": frames.RemoveAt(0); break;
            case "too few frames": frames.RemoveAt(frames.Count - 1); break;
            case "not json":
                frames[^1] = Encoding.UTF8.GetBytes("{not json");
                frames[1] = Encoding.ASCII.GetBytes(Signer.Sign(frames.Skip(2).Take(4)));
                break;
        }

        Assert.Throws<InvalidMessageException>(() => WireFormat.Parse(frames, Signer));
    }
}
