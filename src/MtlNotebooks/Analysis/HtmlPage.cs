using System.Text;

namespace MtlNotebooks.Analysis;

/// <summary>The standalone HTML page around the report and the notebook export: UTF-8, title, stylesheet, and plotly.js
/// inlined once in the head when the page has charts, so it opens offline.</summary>
public static class HtmlPage
{
    /// <param name="title">Plain text; encoded here.</param>
    /// <param name="css">The stylesheet.</param>
    /// <param name="body">The body's HTML.</param>
    /// <param name="withPlotlyJs">Whether to inline plotly.js (the body has charts; 3.6 MB otherwise wasted).</param>
    public static string Render(string title, string css, string body, bool withPlotlyJs)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(css);
        ArgumentNullException.ThrowIfNull(body);
        var page = new StringBuilder(body.Length + css.Length + (withPlotlyJs ? PlotlyHtml.PlotlyJs.Length : 0) + 512);
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(HtmlText.Encode(title)).Append("</title>\n")
            .Append("<style>\n").Append(css).Append("</style>\n");
        if (withPlotlyJs)
            page.Append(PlotlyHtml.PlotlyJsScript()).Append('\n');
        page.Append("</head>\n<body>\n").Append(body).Append("</body>\n</html>\n");
        return page.ToString();
    }
}
