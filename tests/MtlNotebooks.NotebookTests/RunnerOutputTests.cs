using System.Text.Json.Nodes;
using MtlNotebooks.Cli;
using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary>What a run writes: never its input, every path checked before the first cell, the executed notebook after
/// every cell, and one injected-parameters cell however often a notebook is run again.</summary>
public sealed class RunnerOutputTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-output-");
    private readonly string _previousDirectory = Directory.GetCurrentDirectory();

    // The CLI's default output is relative to the current directory: run every command in the scratch folder.
    public RunnerOutputTests() => Directory.SetCurrentDirectory(_scratch.FullName);

    public void Dispose()
    {
        Directory.SetCurrentDirectory(_previousDirectory);
        _scratch.Delete(recursive: true);
    }

    private string Scratch(string relative) => Path.Combine(_scratch.FullName, relative);

    /// <summary>Runs the CLI in this process; returns its exit code and what it wrote to standard error.</summary>
    internal static (int Exit, string Error) Cli(params string[] args)
    {
        var (previousOut, previousError) = (Console.Out, Console.Error);
        var error = new StringWriter();
        Console.SetOut(new StringWriter());
        Console.SetError(error);
        try
        {
            return (CliApp.Run(args), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }

    private static NotebookDocument WithParameter(params string[] cells)
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("code", "var n = 1;", [NotebookParameters.ParametersTag]);
        foreach (var cell in cells) notebook.AddCell("code", cell);
        return notebook;
    }

    private string Save(NotebookDocument notebook, string relative)
    {
        var path = Scratch(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        notebook.Save(path);
        return path;
    }

    private static string PlainText(NotebookCell cell) => MimeBundle.Text((JsonObject)((JsonObject)cell.Outputs[^1]!)["data"]!, "text/plain")!;

    [Fact]
    public void Cli_InputWhereTheDefaultOutputGoes_IsRefusedAndLeftUntouched()
    {
        var input = Save(WithParameter("n"), "runs/notebooks/again.ipynb");
        var before = File.ReadAllBytes(input);

        var (exit, error) = Cli("notebook", "runs/notebooks/again.ipynb", "-p", "n=2");

        Assert.Equal(2, exit);
        Assert.Contains("the default output runs/notebooks/again.ipynb is the input notebook runs/notebooks/again.ipynb", error);
        Assert.Contains("give another path with --output", error);
        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public void Cli_OutputNamingTheInputAnotherWay_IsRefused()
    {
        var input = Save(WithParameter("n"), "input.ipynb");
        var before = File.ReadAllBytes(input);
        Directory.CreateDirectory(Scratch("sub"));
        File.CreateSymbolicLink(Scratch("link.ipynb"), input);
        Directory.CreateSymbolicLink(Scratch("alias"), _scratch.FullName);

        foreach (var output in new[] { "./sub/../input.ipynb", Scratch("input.ipynb"), "link.ipynb", "alias/input.ipynb" })
        {
            var (exit, error) = Cli("notebook", "input.ipynb", "--output", output);

            Assert.Equal(2, exit);
            Assert.Contains($"--output {output} is the input notebook input.ipynb", error);
        }

        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public void Runner_OutputPathOfTheInput_ThrowsNamingTheOptionAndBothPaths()
    {
        var input = Save(WithParameter("n"), "input.ipynb");

        var ex = Assert.Throws<OutputPathException>(() =>
            NotebookRunner.RunAsync(input, new NotebookRunOptions { OutputPath = input }).GetAwaiter().GetResult());

        Assert.Equal($"OutputPath {input} is the input notebook {input}; the runner never writes over its input: give another path with OutputPath.", ex.Message);
    }

    [Fact]
    public async Task Run_ExecutedNotebookRunAgain_ReplacesTheInjectedCell()
    {
        var first = await NotebookRunner.RunAsync(WithParameter("n"), _scratch.FullName,
            new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["n"] = "2" } }).WaitAsync(HangGuard);

        var again = await NotebookRunner.RunAsync(first.Executed, _scratch.FullName,
            new NotebookRunOptions { Parameters = new Dictionary<string, string> { ["n"] = "3" } }).WaitAsync(HangGuard);

        Assert.True(again.Succeeded, again.Error);
        var injected = again.Executed.Cells.Where(c => c.Tags.Contains(NotebookParameters.InjectedTag)).ToList();
        Assert.Single(injected);
        Assert.Contains("int n = 3;", injected[0].Source);
        Assert.Same(injected[0].Json, again.Executed.Cells[1].Json);
        Assert.Equal("3", PlainText(again.Executed.Cells[^1]));
    }

    [Theory]
    [InlineData("--html", "existing-folder", "--html existing-folder is a directory")]
    [InlineData("--output", "blocker.txt/out.ipynb", "--output blocker.txt/out.ipynb: its folder")]
    [InlineData("--html", "out.ipynb", "--html out.ipynb and --output out.ipynb are the same file")]
    [InlineData("--html", "input.ipynb", "--html input.ipynb is the input notebook input.ipynb")]
    public void Cli_BadOutputPath_FailsBeforeAnyCellRuns(string option, string path, string expected)
    {
        Save(WithParameter("System.IO.File.WriteAllText(\"ran.txt\", \"the notebook ran\");"), "input.ipynb");
        Directory.CreateDirectory(Scratch("existing-folder"));
        File.WriteAllText(Scratch("blocker.txt"), "a file where a folder would have to be");
        string[] args = option == "--output" ? ["notebook", "input.ipynb", option, path] : ["notebook", "input.ipynb", "--output", "out.ipynb", option, path];

        var (exit, error) = Cli(args);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.False(File.Exists(Scratch("ran.txt")), "a cell ran although an output path was bad");
    }

    [Fact]
    public void Cli_WritesTheExecutedNotebookAfterEveryCell()
    {
        var output = Scratch("out/executed.ipynb");
        Save(WithParameter(
            "Console.WriteLine(\"from cell 2\");",
            $"var saved = System.IO.File.ReadAllText(@\"{output}\");\n" +
            "if (!saved.Contains(\"from cell 2\")) throw new Exception(\"cell 2's output was not written before cell 3 ran\");",
            "throw new InvalidOperationException(\"stop at cell 4\");"), "input.ipynb");

        var (exit, error) = Cli("notebook", "input.ipynb", "--output", output);

        Assert.Equal(1, exit);
        Assert.Contains("cell 4", error);
        var written = NotebookDocument.Load(output);
        Assert.Equal("error", (string?)written.Cells[3].Outputs[^1]!["output_type"]);
        Assert.Equal("stop at cell 4", (string?)written.Cells[3].Outputs[^1]!["evalue"]);
        Assert.Empty(written.Cells[2].Outputs);
        Assert.Equal(["executed.ipynb"], Directory.GetFiles(Scratch("out")).Select(Path.GetFileName));
    }
}
