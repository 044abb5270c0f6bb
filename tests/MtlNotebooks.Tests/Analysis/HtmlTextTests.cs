using MtlNotebooks.Analysis;

namespace MtlNotebooks.Tests.Analysis;

public sealed class HtmlTextTests
{
    [Fact]
    public void Encode_EscapesMarkupAndKeepsNonAsciiTextReadable()
    {
        Assert.Equal("&lt;b&gt; &amp; &quot;x&quot; &#x27;y&#x27;", HtmlText.Encode("<b> & \"x\" 'y'"));
        Assert.Equal("Δm (%) · semseg mIoU ↑ · 2×2 …", HtmlText.Encode("Δm (%) · semseg mIoU ↑ · 2×2 …"));
    }

    [Fact]
    public void Encode_KeepsLineBreaksAndTabsLiteral()
    {
        Assert.Equal("a &lt; b\n\tc\r\nd", HtmlText.Encode("a < b\n\tc\r\nd"));
        Assert.Equal("\n\n", HtmlText.Encode("\n\n"));
        Assert.Equal("", HtmlText.Encode(""));
    }
}
