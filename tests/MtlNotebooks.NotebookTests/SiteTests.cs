using MtlNotebooks.Cli;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary><c>mtl site build</c>: the notebooks executed in course order, an index with each one's goal and time, pages
/// linked previous/next that Chromium draws offline (charts included), and a folder that is the command's own.</summary>
public sealed class SiteTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-site-");

    public void Dispose() => _scratch.Delete(recursive: true);

    private string Notebooks()
    {
        var folder = _scratch.CreateSubdirectory("notebooks").FullName;
        Write(Path.Combine(folder, "00-first-steps.ipynb"), "# 00 · First steps\n\nAdds two numbers, as a start.\n\nMore text.", "1 + 1");
        Write(Path.Combine(folder, "01-a-chart.ipynb"), "# 01 · A chart\n\nDraws one line.",
            "Plotly.NET.CSharp.Chart.Line<double, double, string>(new[] { 1.0, 2.0, 3.0 }, new[] { 3.0, 1.0, 4.0 })");
        return folder;
    }

    private static void Write(string path, string markdown, string code)
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("markdown", markdown);
        notebook.AddCell("code", ExecutableDocsTests.SetupCell);
        notebook.AddCell("code", code);
        notebook.Save(path);
    }

    [Fact]
    public void Build_WritesAnIndexInCourseOrder_AndLinkedPagesChromiumDraws()
    {
        var site = Path.Combine(_scratch.FullName, "site");

        Assert.Equal(0, CliApp.Run(["site", "build", "--notebooks", Notebooks(), "--output", site]));

        var index = File.ReadAllText(Path.Combine(site, CourseSite.IndexFile));
        Assert.True(index.IndexOf("00-first-steps.html", StringComparison.Ordinal) < index.IndexOf("01-a-chart.html", StringComparison.Ordinal));
        Assert.Contains("Adds two numbers, as a start.", index);
        Assert.DoesNotContain("More text.", index);
        Assert.Contains("ran through", index);
        var first = File.ReadAllText(Path.Combine(site, "00-first-steps.html"));
        var second = File.ReadAllText(Path.Combine(site, "01-a-chart.html"));
        Assert.Contains("<a href=\"01-a-chart.html\">01 · A chart →</a>", first);
        Assert.Contains("<a href=\"00-first-steps.html\">← 00 · First steps</a>", second);
        Assert.Contains("<a href=\"index.html\">course index</a>", second);
        Assert.True(File.Exists(Path.Combine(site, "01-a-chart.ipynb")));

        foreach (var (page, charts) in new[] { ("index.html", 0), ("00-first-steps.html", 0), ("01-a-chart.html", 1) })
        {
            var scratch = _scratch.CreateSubdirectory($"render-{page}");
            var drawn = ChromiumRender.Render(File.ReadAllText(Path.Combine(site, page)), scratch.FullName);
            Assert.True(drawn.Errors.Count == 0, $"{page}: {string.Join("; ", drawn.Errors)}");
            Assert.Equal(charts, drawn.Charts.Count(c => c.Drawn));
        }
    }

    [Fact]
    public void Build_IntoAFolderOfOtherFiles_IsRefused_AndARebuildKeepsToItsOwn()
    {
        var notebooks = Notebooks();
        var taken = _scratch.CreateSubdirectory("taken").FullName;
        File.WriteAllText(Path.Combine(taken, "thesis.tex"), "mine");
        var site = Path.Combine(_scratch.FullName, "site");

        Assert.Equal(1, CliApp.Run(["site", "build", "--notebooks", notebooks, "--output", taken, "--only", "00-first-steps"]));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(taken, "thesis.tex")));
        Assert.Single(Directory.GetFiles(taken));

        Assert.Equal(0, CliApp.Run(["site", "build", "--notebooks", notebooks, "--output", site]));
        // Rerunning one notebook keeps the other's page, and the index still lists both.
        Assert.Equal(0, CliApp.Run(["site", "build", "--notebooks", notebooks, "--output", site, "--only", "00-first-steps"]));
        Assert.True(File.Exists(Path.Combine(site, "01-a-chart.html")));
        Assert.Contains("01-a-chart.html", File.ReadAllText(Path.Combine(site, CourseSite.IndexFile)));
        // The temporary file of a write that was interrupted is the command's own.
        File.WriteAllText(Path.Combine(site, ".index.html.0123abcd.tmp"), "half");
        Assert.Equal(0, CliApp.Run(["site", "build", "--notebooks", notebooks, "--output", site, "--only", "00-first-steps"]));
        Assert.False(File.Exists(Path.Combine(site, ".index.html.0123abcd.tmp")));
        File.WriteAllText(Path.Combine(site, "notes.txt"), "mine");
        Assert.Equal(1, CliApp.Run(["site", "build", "--notebooks", notebooks, "--output", site, "--only", "00-first-steps"]));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(site, "notes.txt")));
        Assert.Equal(1, CliApp.Run(["site", "build", "--notebooks", notebooks, "--output", site, "--only", "99-missing"]));
    }
}
