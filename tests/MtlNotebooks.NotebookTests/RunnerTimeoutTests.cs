using System.Diagnostics;
using System.Text.Json.Nodes;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary>Per-cell and total time limits: a cell that runs too long is recorded as timed out, the notebook is written
/// and the run ends within seconds, whether or not the cell observes its cancellation token.</summary>
public sealed class RunnerTimeoutTests : IDisposable
{
    /// <summary>Limits of one second must end a run in a few: the session start and the grace period, no more.</summary>
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private const string Stuck = "System.Threading.Thread.Sleep(10000);";
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-timeout-");
    private readonly string _previousDirectory = Directory.GetCurrentDirectory();

    public RunnerTimeoutTests() => Directory.SetCurrentDirectory(_scratch.FullName);

    public void Dispose()
    {
        Directory.SetCurrentDirectory(_previousDirectory);
        _scratch.Delete(recursive: true);
    }

    private static NotebookDocument Notebook(params string[] cells)
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("markdown", "# 99 · Timeouts");
        foreach (var cell in cells) notebook.AddCell("code", cell);
        return notebook;
    }

    private async Task<(NotebookRunResult Result, TimeSpan Elapsed)> Run(NotebookDocument notebook, NotebookRunOptions options)
    {
        var clock = Stopwatch.StartNew();
        var result = await NotebookRunner.RunAsync(notebook, _scratch.FullName, options).WaitAsync(TimeSpan.FromMinutes(2));
        return (result, clock.Elapsed);
    }

    private static JsonObject LastOutput(NotebookCell cell) => (JsonObject)cell.Outputs[^1]!;

    private static IEnumerable<string> Traceback(JsonObject error) => ((JsonArray)error["traceback"]!).Select(l => (string)l!);

    [Fact]
    public async Task Run_CellThatIgnoresTheToken_IsRecordedAsTimedOutAndAbandoned()
    {
        // The stuck cell comes first, and the limit leaves room for compiling it: compile time counts toward the limit, and
        // a cold compile on a busy machine can take a second, so a 1 s limit could expire before the cell starts (then it
        // is cancelled cleanly, not abandoned, and this test would not test abandonment).
        var (result, elapsed) = await Run(Notebook(Stuck, "var after = 2;"), new NotebookRunOptions { CellTimeout = TimeSpan.FromSeconds(3) });

        Assert.True(elapsed < Quick, $"the run took {elapsed.TotalSeconds:0.0} s");
        Assert.False(result.Succeeded);
        Assert.True(result.TimedOut);
        Assert.Equal(2, result.FailedCell);
        Assert.Equal("cell 2 timed out: it ran longer than the per-cell timeout of 3 s.", result.Error);
        var error = LastOutput(result.Executed.Cells[1]);
        Assert.Equal("TimeoutError", (string?)error["ename"]);
        Assert.Equal(result.Error, (string?)error["evalue"]);
        Assert.Contains(Traceback(error), l => l.Contains("did not stop when its CellCancellationToken was cancelled", StringComparison.Ordinal));
        Assert.Null(result.Executed.Cells[2].Json["execution_count"]);
    }

    [Fact]
    public async Task Run_CellThatObservesCellCancellationToken_StopsAtTheLimit()
    {
        var (result, elapsed) = await Run(Notebook("while (true) CellCancellationToken.ThrowIfCancellationRequested();"),
            new NotebookRunOptions { CellTimeout = OneSecond });

        Assert.True(elapsed < Quick, $"the run took {elapsed.TotalSeconds:0.0} s");
        Assert.True(result.TimedOut);
        Assert.Equal("cell 2 timed out: it ran longer than the per-cell timeout of 1 s.", result.Error);
        Assert.DoesNotContain(Traceback(LastOutput(result.Executed.Cells[1])), l => l.Contains("did not stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_TotalTimeout_StopsTheCellRunningWhenItRunsOut()
    {
        var cell = "await Task.Delay(1500, CellCancellationToken);";
        var (result, elapsed) = await Run(Notebook(cell, cell, cell, cell, cell, cell),
            new NotebookRunOptions { CellTimeout = TimeSpan.FromSeconds(30), TotalTimeout = TimeSpan.FromSeconds(3) });

        Assert.True(elapsed < Quick, $"the run took {elapsed.TotalSeconds:0.0} s");
        Assert.True(result.TimedOut);
        Assert.Equal($"cell {result.FailedCell} timed out: the notebook's total timeout of 3 s ran out while it ran.", result.Error);
        Assert.InRange(result.FailedCell!.Value, 2, 4);
    }

    [Fact]
    public async Task Run_CellsShareOneThread_SoThreadAffineStateCarriesOver()
    {
        var (result, _) = await Run(Notebook("var first = Environment.CurrentManagedThreadId;", "Environment.CurrentManagedThreadId == first"),
            new NotebookRunOptions { CellTimeout = TimeSpan.FromSeconds(60) });

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("True", MimeBundle.Text((JsonObject)LastOutput(result.Executed.Cells[2])["data"]!, "text/plain"));
    }

    [Fact]
    public void Cli_NotebookTimeout_WritesTheTimeoutAndExitsNonZero()
    {
        Notebook("Console.WriteLine(\"cell 2 ran\");\n" + Stuck).Save(Path.Combine(_scratch.FullName, "stuck.ipynb"));
        var clock = Stopwatch.StartNew();

        // 3 s: the limit counts compiling, and the cell's first line must run before it even on a loaded machine.
        var (exit, error) = RunnerOutputTests.Cli("notebook", "stuck.ipynb", "--output", "out.ipynb", "--timeout", "3", "--total-timeout", "60");

        Assert.True(clock.Elapsed < Quick, $"the command took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(1, exit);
        Assert.Contains("error: stuck.ipynb: cell 2 timed out: it ran longer than the per-cell timeout of 3 s.", error);
        var outputs = NotebookDocument.Load(Path.Combine(_scratch.FullName, "out.ipynb")).Cells[1].Outputs;
        Assert.Equal(["stream", "error"], outputs.Select(o => (string)o!["output_type"]!));
        Assert.Equal("TimeoutError", (string?)outputs[1]!["ename"]);
    }

    [Theory]
    [InlineData("notebook", "--timeout", "0")]
    [InlineData("notebook", "--total-timeout", "-3")]
    [InlineData("script", "--timeout", "0")]
    public void Cli_NonPositiveTimeout_IsRefusedNamingTheOption(string command, string option, string value)
    {
        Notebook("System.IO.File.WriteAllText(\"ran.txt\", \"ran\");").Save(Path.Combine(_scratch.FullName, "n.ipynb"));
        File.WriteAllText(Path.Combine(_scratch.FullName, "s.csx"), "System.IO.File.WriteAllText(\"ran.txt\", \"ran\");");

        var (exit, error) = RunnerOutputTests.Cli(command, command == "script" ? "s.csx" : "n.ipynb", option, value);

        Assert.Equal(2, exit);
        Assert.Contains($"error: {option} {value}: give a positive number of seconds", error);
        Assert.False(File.Exists(Path.Combine(_scratch.FullName, "ran.txt")));
    }

    [Theory]
    [InlineData(Stuck + "\nreturn 0;", " and did not stop when ScriptCancellationToken was cancelled")]
    [InlineData("while (true) ScriptCancellationToken.ThrowIfCancellationRequested();", ".")]
    public async Task Script_Timeout_IsReportedWithTheScriptAndTheLimit(string code, string ending)
    {
        var path = Path.Combine(_scratch.FullName, "slow.csx");
        // Compiled once first, so that the second run's second is spent running: on a busy machine the first compilation
        // alone can take a second, and a script stopped while it compiles has not yet ignored the token.
        await File.WriteAllTextAsync(path, "return 0;");
        Assert.Equal(0, (await ScriptRunner.RunAsync(path, [], TimeSpan.FromMinutes(1)).WaitAsync(TimeSpan.FromMinutes(2))).ExitCode);
        await File.WriteAllTextAsync(path, code);
        var clock = Stopwatch.StartNew();

        var result = await ScriptRunner.RunAsync(path, [], OneSecond).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(clock.Elapsed < Quick, $"the script ran {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"{path}: timed out: it ran longer than its timeout of 1 s{ending}", result.Error);
    }

    [Fact]
    public void Cli_ScriptTimeout_ExitsNonZero()
    {
        File.WriteAllText(Path.Combine(_scratch.FullName, "slow.csx"), Stuck);
        var clock = Stopwatch.StartNew();

        var (exit, error) = RunnerOutputTests.Cli("script", "slow.csx", "--timeout", "1");

        Assert.True(clock.Elapsed < Quick, $"the command took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(1, exit);
        Assert.Contains("error: slow.csx: timed out: it ran longer than its timeout of 1 s", error);
    }
}
