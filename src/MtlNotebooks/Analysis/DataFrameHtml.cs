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

    /// <summary>At most this many rows are written into a page, the hidden ones included: a longer frame belongs in a CSV.</summary>
    public const long MaxWrittenRows = 5_000;

    /// <summary>The table. A frame longer than <paramref name="maxRows"/> shows its first rows and keeps the others
    /// behind a "show all" switch (an HTML &lt;details&gt;, so it opens without script, in a notebook and in a saved
    /// page alike), up to <see cref="MaxWrittenRows"/>.</summary>
    public static string Table(DataFrame table, long maxRows = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRows);
        var columns = table.Columns.ToList();
        var shown = Math.Min(table.Rows.Count, maxRows);
        var written = Math.Max(shown, Math.Min(table.Rows.Count, MaxWrittenRows));
        var cells = columns.Select(c => TableCells.Format(c, written)).ToList();
        var sb = new StringBuilder();
        AppendTable(sb, columns, cells, 0, shown);
        if (table.Rows.Count <= shown) return sb.ToString();

        sb.Append(CultureInfo.InvariantCulture, $"\n<p>({shown} of {table.Rows.Count} rows shown)</p>");
        if (written > shown)
        {
            var rest = written < table.Rows.Count ? $"rows {shown + 1}–{written} of {table.Rows.Count}"
                : written - shown == 1 ? "the last row" : $"the other {written - shown} rows";
            sb.Append("\n<details><summary>Show ").Append(HtmlText.Encode(rest)).Append("</summary>\n");
            AppendTable(sb, columns, cells, shown, written);
            sb.Append("\n</details>");
        }
        return sb.ToString();
    }

    private static void AppendTable(StringBuilder sb, List<DataFrameColumn> columns, List<IReadOnlyList<string>> cells, long from, long to)
    {
        sb.Append(CultureInfo.InvariantCulture, $"<table class=\"{TableClass}\">\n<thead><tr>");
        foreach (var c in columns)
            sb.Append("<th").Append(Align(c)).Append('>').Append(HtmlText.Encode(c.Name)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        for (var r = from; r < to; r++)
        {
            sb.Append("<tr>");
            for (var i = 0; i < columns.Count; i++)
                sb.Append("<td").Append(Align(columns[i])).Append('>').Append(HtmlText.Encode(cells[i][(int)r])).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>");
    }

    // Inline, not a class: notebook front ends show the fragment without the report's stylesheet.
    private static string Align(DataFrameColumn column) => column.DataType == typeof(string) ? "" : " style=\"text-align: right\"";
}
