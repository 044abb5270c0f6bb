using System.Text;

namespace MtlNotebooks.Interactive;

/// <summary>HTML-encodes only what markup needs (&amp;, &lt;, &gt;, quotes), so "Δm", "·" and "↑" stay readable in
/// notebook files (unlike WebUtility.HtmlEncode, which turns every non-ASCII character into an entity).</summary>
public static class HtmlText
{
    public static string Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }
}
