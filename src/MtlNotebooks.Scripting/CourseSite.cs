using System.Text;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Scripting;

/// <summary>The notebooks as a course site that opens offline: each executed notebook as a page (the HTML export, charts
/// with plotly.js inlined) with links to the index and to the previous and next notebook, and an index in course
/// order with each notebook's goal, how long it ran and whether it ran through. <c>mtl site build</c> writes it.</summary>
public static class CourseSite
{
    public const string IndexFile = "index.html";

    /// <summary>A notebook's title (the first heading of its first markdown cell) and goal (that cell's first paragraph).</summary>
    public static CourseEntry Describe(NotebookDocument notebook, string file)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var lines = notebook.Cells.FirstOrDefault(c => c.CellType == "markdown")?.Source.ReplaceLineEndings("\n").Split('\n') ?? [];
        var title = NotebookHtmlExporter.Heading(notebook) ?? Path.GetFileNameWithoutExtension(file);
        var goal = string.Join(" ", lines.SkipWhile(l => !l.StartsWith('#')).Skip(1).SkipWhile(string.IsNullOrWhiteSpace)
            .TakeWhile(l => !string.IsNullOrWhiteSpace(l) && !l.StartsWith('#')).Select(l => l.Trim()));
        return new CourseEntry(file, title, goal);
    }

    /// <summary>The page of <paramref name="executed"/>: its HTML export with the course's links above and below.</summary>
    public static string Page(NotebookDocument executed, CourseEntry entry, CourseEntry? previous, CourseEntry? next)
    {
        var html = NotebookHtmlExporter.Export(executed, entry.Title);
        var nav = Navigation(previous, next);
        var body = html.IndexOf("<body>", StringComparison.Ordinal) + "<body>".Length;
        var end = html.LastIndexOf("</body>", StringComparison.Ordinal);
        return html[..body] + "\n" + Style + nav + html[body..end] + nav + html[end..];
    }

    /// <summary>The index: every notebook in course order with its goal, time and outcome, and how the site was built.</summary>
    public static string Index(IReadOnlyList<CourseEntry> entries, string builtWith)
    {
        var body = new StringBuilder();
        body.Append("<h1>MtlNotebooks: multi-task learning for dense prediction, notebook by notebook</h1>\n<p>")
            .Append(HtmlText.Encode(builtWith)).Append("</p>\n<table class=\"mtl-course\">\n<tr><th>#</th><th>notebook</th><th>goal</th><th>ran for</th><th></th></tr>\n");
        foreach (var entry in entries)
        {
            var number = entry.Notebook.Length >= 2 && char.IsDigit(entry.Notebook[0]) && char.IsDigit(entry.Notebook[1]) ? entry.Notebook[..2] : "";
            body.Append("<tr><td>").Append(number).Append("</td><td><a href=\"").Append(Uri.EscapeDataString(entry.Page)).Append("\">")
                .Append(HtmlText.Encode(entry.Title)).Append("</a></td><td>").Append(HtmlText.Encode(entry.Goal)).Append("</td><td class=\"time\">")
                .Append(entry.Elapsed is { } t ? Duration(t) : "").Append("</td><td>")
                .Append(entry.Succeeded switch { true => "ran through", false => "<strong>failed</strong> (the page shows where)", null => "" })
                .Append("</td></tr>\n");
        }
        body.Append("</table>\n");
        return HtmlPage.Render("MtlNotebooks course", IndexCss, body.ToString(), withPlotlyJs: false);
    }

    /// <summary>A run's length as a reader reads it: seconds under a minute, else minutes and seconds.</summary>
    public static string Duration(TimeSpan elapsed) =>
        elapsed.TotalSeconds < 60 ? $"{elapsed.TotalSeconds:0} s" : $"{(int)elapsed.TotalMinutes} min {elapsed.Seconds:00} s";

    private static string Navigation(CourseEntry? previous, CourseEntry? next)
    {
        var nav = new StringBuilder("<nav class=\"mtl-site-nav\">");
        nav.Append(previous is null ? "<span></span>" : Link(previous, "← "));
        nav.Append("<a href=\"").Append(IndexFile).Append("\">course index</a>");
        nav.Append(next is null ? "<span></span>" : Link(next, "", " →"));
        return nav.Append("</nav>\n").ToString();
    }

    private static string Link(CourseEntry entry, string before, string after = "") =>
        $"<a href=\"{Uri.EscapeDataString(entry.Page)}\">{before}{HtmlText.Encode(entry.Title)}{after}</a>";

    private const string Style = """
        <style>
        nav.mtl-site-nav { display: flex; justify-content: space-between; gap: 1em; margin: 0.5em 0 1em; padding: 0.4em 0; border-bottom: 1px solid #ddd; }
        nav.mtl-site-nav:last-of-type { border-bottom: none; border-top: 1px solid #ddd; margin-top: 2em; }
        </style>

        """;

    private const string IndexCss = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.5; }
        table.mtl-course { border-collapse: collapse; }
        table.mtl-course td, table.mtl-course th { border-bottom: 1px solid #e4e4e4; padding: 0.4em 0.6em; text-align: left; vertical-align: top; }
        table.mtl-course td.time { text-align: right; white-space: nowrap; }
        """;
}
