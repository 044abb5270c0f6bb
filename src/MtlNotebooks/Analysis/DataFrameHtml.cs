using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>A DataFrame as an HTML table, for the report and the notebook formatters alike: the column names as header,
/// numbers right-aligned and written as every table of the library writes them (<see cref="TableCells"/>),
/// all text HTML-encoded.</summary>
public static class DataFrameHtml
{
    /// <summary>The class of the &lt;table&gt;, for pages that style it.</summary>
    public const string TableClass = "mtl-table";

    /// <summary>The table; a frame longer than <paramref name="maxRows"/> shows its first rows and says how many.</summary>
    public static string Table(DataFrame table, long maxRows = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        var columns = table.Columns.ToList();
        var sb = new StringBuilder($"<table class=\"{TableClass}\">\n<thead><tr>");
        foreach (var c in columns)
            sb.Append("<th").Append(Align(c)).Append('>').Append(HtmlText.Encode(c.Name)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        var rows = Math.Min(table.Rows.Count, maxRows);
        var cells = columns.Select(c => TableCells.Format(c, rows)).ToList();
        for (var r = 0; r < rows; r++)
        {
            sb.Append("<tr>");
            for (var i = 0; i < columns.Count; i++)
                sb.Append("<td").Append(Align(columns[i])).Append('>').Append(HtmlText.Encode(cells[i][r])).Append("</td>");
            sb.Append("</tr>\n");
        }

        sb.Append("</tbody>\n</table>");
        if (table.Rows.Count > rows)
            sb.Append(CultureInfo.InvariantCulture, $"\n<p>({rows} of {table.Rows.Count} rows shown)</p>");
        return sb.ToString();
    }

    // Inline, not a class: notebook front ends show the fragment without the report's stylesheet.
    private static string Align(DataFrameColumn column) => column.DataType == typeof(string) ? "" : " style=\"text-align: right\"";
}
