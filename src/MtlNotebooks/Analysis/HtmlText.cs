using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace MtlNotebooks.Analysis;

/// <summary>HTML-encodes text for the report, the notebook formatters and the notebook export. Markup characters become
/// entities; letters and symbols of every script stay as they are, so "Δm", "·" and "↑" remain readable in the saved
/// files (WebUtility.HtmlEncode and HtmlEncoder.Default turn them into numeric entities).</summary>
public static class HtmlText
{
    // UnicodeRanges.All lets every BMP letter and symbol through; the encoder still escapes &, <, >, quotes, '+',
    // control characters and characters outside the BMP (as numeric references, which browsers render the same).
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    // Line breaks and tabs need no escaping in HTML text, but the encoder escapes them as control characters (&#xA;);
    // they are kept literal so a <pre> block stays one source line per line in the saved notebook and page.
    private static readonly SearchValues<char> Literal = SearchValues.Create("\n\r\t");

    public static string Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny(Literal) < 0)
            return Encoder.Encode(text);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var start = 0;
        for (int next; (next = text.AsSpan(start).IndexOfAny(Literal)) >= 0; start += next + 1)
        {
            Encoder.Encode(writer, text, start, next);
            writer.Write(text[start + next]);
        }

        Encoder.Encode(writer, text, start, text.Length - start);
        return writer.ToString();
    }
}
