using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MtlNotebooks.Analysis;
using MtlNotebooks.Interactive;
using MtlNotebooks.Scripting;
using Xunit.Abstractions;

namespace MtlNotebooks.NotebookTests;

/// <summary>Every notebook and script of the repository runs, in smoke mode, under the headless runner; committed
/// notebooks follow the conventions (setup cell, parameters cell, no outputs, C# kernel).</summary>
public sealed partial class ExecutableDocsTests(ITestOutputHelper log)
{
    /// <summary>Only against hangs: a smoke run takes seconds to tens of seconds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(10);

    /// <summary>The setup cell every notebook starts with (after its title), byte for byte.</summary>
    public const string SetupCell = "#r \"nuget: MtlNotebooks, 0.1.0\"\n#r \"nuget: MtlNotebooks.Interactive, 0.1.0\"\nusing MtlNotebooks;";

    [Theory]
    [MemberData(nameof(RepositoryFiles.NotebookPaths), MemberType = typeof(RepositoryFiles))]
    public async Task Notebook_SmokeRun_ExecutesEveryCell(string notebook)
    {
        var result = await NotebookRunner.RunAsync(RepositoryFiles.Full(notebook),
            new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["smoke"] = "true" } }).WaitAsync(HangGuard);

        log.WriteLine($"{notebook}: {result.Elapsed.TotalSeconds:0.0} s; slowest cells: " +
                      string.Join(", ", result.CellTimes.OrderByDescending(c => c.Elapsed).Take(3).Select(c => $"cell {c.Cell} {c.Elapsed.TotalSeconds:0.0} s")));
        Assert.True(result.Succeeded, $"{notebook} failed at cell {result.FailedCell}: {result.Error}");
        var code = result.Executed.Cells.Where(c => c.IsCode).ToList();
        Assert.All(code, c => Assert.NotNull(c.Json["execution_count"]));
        Assert.DoesNotContain(code.SelectMany(c => c.Outputs), o => (string?)o!["output_type"] == "error");
        Assert.Empty(NbformatStructure.Problems(result.Executed.Root));
        // A smoke run says that its numbers are not results, before the first of them.
        var outputs = code.SelectMany(c => c.Outputs).Select(o => o!.ToJsonString()).ToList();
        var banner = outputs.FindIndex(o => o.Contains(Banner.Smoke.Title, StringComparison.Ordinal));
        Assert.True(banner >= 0, $"{notebook}: no smoke-mode banner");
        Assert.True(outputs.Take(banner).All(o => !o.Contains(PlotlyHtml.ChartClass, StringComparison.Ordinal)), $"{notebook}: a chart before the smoke-mode banner");
        AssertChartsFit(notebook, result.Executed, code.SelectMany(c => c.Outputs).Count(o => o!.ToJsonString().Contains(PlotlyHtml.ChartClass)));
    }

    /// <summary>The notebook's page of the course site (<c>mtl site build</c>'s, smoke mode) as Chromium draws it at a
    /// notebook's width: every chart drawn, no wider than its output; no script or console error; no output a reader sees
    /// as an object dump (a record's or anonymous object's <c>{ Name = value }</c>) or with a compiler-generated name;
    /// links to the index and to the notebooks before and after it in course order.</summary>
    private static void AssertChartsFit(string notebook, NotebookDocument executed, int charts)
    {
        var scratch = Directory.CreateTempSubdirectory("mtl-render-");
        try
        {
            var course = Course();
            var at = course.FindIndex(e => e.Notebook == Path.GetFileName(notebook));
            var (previous, next) = (at > 0 ? course[at - 1] : null, at + 1 < course.Count ? course[at + 1] : null);
            var html = CourseSite.Page(executed, course[at], previous, next);
            Assert.Contains($"href=\"{CourseSite.IndexFile}\"", html);
            foreach (var neighbour in new[] { previous, next }.OfType<CourseEntry>())
                Assert.Contains($"href=\"{Uri.EscapeDataString(neighbour.Page)}\"", html);
            var page = ChromiumRender.Render(html, scratch.FullName);
            Assert.True(page.Errors.Count == 0, $"{notebook}: script errors on the page: {string.Join("; ", page.Errors)}");
            var dumps = page.Outputs.Select(t => ObjectDump().Match(t)).Where(m => m.Success).Select(m => m.Value).ToList();
            Assert.True(dumps.Count == 0, $"{notebook}: outputs a reader sees as object dumps or compiler names: {string.Join(" | ", dumps)}");
            Assert.Equal(charts, page.Charts.Count);
            Assert.All(page.Charts, c =>
            {
                Assert.True(c.Drawn, $"{notebook}: chart {c.Index + 1} has an empty plot area");
                Assert.True(c.Width <= c.OutputWidth + 1,
                    $"{notebook}: chart {c.Index + 1} is {c.Width:0} px wide in an output of {c.OutputWidth:0} px ({ChromiumRender.PageWidth} px page)");
            });
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(RepositoryFiles.ScriptPaths), MemberType = typeof(RepositoryFiles))]
    public async Task Script_SmokeRun_ExitsWithZero(string script)
    {
        // Scripts write relative to the current directory (like dotnet-script): run them in a scratch folder.
        var scratch = Directory.CreateTempSubdirectory("mtl-script-");
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(scratch.FullName);
        try
        {
            var result = await ScriptRunner.RunAsync(RepositoryFiles.Full(script), ["--smoke"]).WaitAsync(HangGuard);
            log.WriteLine($"{script}: {result.Elapsed.TotalSeconds:0.0} s");
            Assert.True(result.ExitCode == 0, $"{script} exited with {result.ExitCode}: {result.Error}");
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
            scratch.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(RepositoryFiles.NotebookPaths), MemberType = typeof(RepositoryFiles))]
    public void Notebook_Committed_HasNoOutputsAndTheCSharpKernel(string notebook)
    {
        var document = NotebookDocument.Load(RepositoryFiles.Full(notebook));

        Assert.Equal(NotebookDocument.CSharpKernelName, document.KernelName);
        foreach (var (cell, i) in document.Cells.Select((c, i) => (c, i)).Where(x => x.c.IsCode))
        {
            Assert.True(cell.Outputs.Count == 0, $"{notebook}: cell {i + 1} has outputs; commit notebooks with outputs cleared.");
            Assert.True(cell.Json["execution_count"] is null, $"{notebook}: cell {i + 1} has an execution count; clear outputs before committing.");
        }

        Assert.Empty(NbformatStructure.Problems(document.Root));
    }

    [Theory]
    [MemberData(nameof(RepositoryFiles.NotebookPaths), MemberType = typeof(RepositoryFiles))]
    public void Notebook_FirstCells_FollowTheConventions(string notebook)
    {
        var cells = NotebookDocument.Load(RepositoryFiles.Full(notebook)).Cells;
        var number = Path.GetFileName(notebook)[..2];

        Assert.True(cells.Count >= 3, $"{notebook} has {cells.Count} cells; it needs a title, the setup cell and a parameters cell.");
        Assert.Equal("markdown", cells[0].CellType);
        Assert.Matches($"^# {number} · \\S", cells[0].Source);
        Assert.True(cells[1].IsCode && cells[1].Source == SetupCell, $"{notebook}: cell 2 must be the setup cell, byte for byte:\n{SetupCell}");
        Assert.True(cells[2].IsCode && cells[2].Tags.Contains(NotebookParameters.ParametersTag),
            $"{notebook}: cell 3 must be a code cell tagged \"parameters\".");
        Assert.Contains(NotebookParameters.Declarations(cells[2].Source), d => d is { Name: "smoke", Type: "bool" });
    }

    /// <summary>The course site's entries, as <c>mtl site build</c> orders and describes the notebooks.</summary>
    private static List<CourseEntry> Course() =>
        [.. RepositoryFiles.Notebooks.Select(p => CourseSite.Describe(NotebookDocument.Load(p), Path.GetFileName(p)))];

    [Fact]
    public void CourseIndex_ListsEveryNotebookInCourseOrderWithItsGoal_AndChromiumShowsIt()
    {
        var course = Course();
        Assert.True(course.Count >= 16, $"{course.Count} notebooks");
        Assert.All(course, e => Assert.False(string.IsNullOrWhiteSpace(e.Goal), $"{e.Notebook} states no goal under its title"));
        var html = CourseSite.Index(course, "built by the tests");
        var links = Regex.Matches(html, "<a href=\"([^\"]+)\">").Select(m => Uri.UnescapeDataString(m.Groups[1].Value)).ToList();
        Assert.Equal(course.Select(e => e.Page), links);
        var scratch = Directory.CreateTempSubdirectory("mtl-render-");
        try
        {
            var page = ChromiumRender.Render(html, scratch.FullName);
            Assert.True(page.Errors.Count == 0, $"script errors on the index: {string.Join("; ", page.Errors)}");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public void Notebooks_SetupCell_IsByteIdenticalAcrossNotebooks()
    {
        var setups = RepositoryFiles.Notebooks.Select(p => NotebookDocument.Load(p).Cells.ElementAtOrDefault(1)?.Source).Distinct().ToList();

        Assert.True(RepositoryFiles.Notebooks.Count() >= 2);
        Assert.Equal([SetupCell], setups);
    }

    [Fact]
    public void Notebooks_FileNames_AreNumberedKebabCase()
    {
        var names = RepositoryFiles.Notebooks.Select(Path.GetFileName).ToList();

        Assert.All(names, n => Assert.Matches(new Regex("^[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*\\.ipynb$"), n!));
    }

    [Fact]
    public void RepositoryFiles_Discovery_FindsTheFirstNotebooksAndTheTrainingScript()
    {
        Assert.Contains(RepositoryFiles.Notebooks, p => Path.GetFileName(p) == "00-quick-tour.ipynb");
        Assert.Contains(RepositoryFiles.Notebooks, p => Path.GetFileName(p) == "01-tasks-and-data.ipynb");
        Assert.Contains(RepositoryFiles.Scripts, p => Path.GetFileName(p) == "train.csx");
    }

    internal static JsonObject? LastOutput(NotebookCell cell) => cell.Outputs.Count == 0 ? null : cell.Outputs[^1] as JsonObject;

    /// <summary>What a default ToString shows a reader: a record or anonymous object (<c>{ Method = Uniform, … }</c>),
    /// compiler-generated names (<c>&lt;&gt;f__AnonymousType0</c>, <c>&lt;ZipIterator&gt;d__362</c>, display classes),
    /// a collection type's name instead of its items, or a tuple's Item1.</summary>
    [GeneratedRegex(@"\{ [A-Z]\w* = [^{}\n]*\}|<>|>[a-z]__\d|__DisplayClass|System\.(Collections\.Generic|Linq)\.\w+|\bItem[1-7]\b")]
    private static partial Regex ObjectDump();
}
