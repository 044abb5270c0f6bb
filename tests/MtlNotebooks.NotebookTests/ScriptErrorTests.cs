using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary>An exception in a script or cell names the file (or cell) and line it was thrown from.</summary>
public sealed class ScriptErrorTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-script-error-");
    private readonly string _previousDirectory = Directory.GetCurrentDirectory();

    public ScriptErrorTests()
    {
        Directory.SetCurrentDirectory(_scratch.FullName);
        Directory.CreateDirectory("scripts");
    }

    public void Dispose()
    {
        Directory.SetCurrentDirectory(_previousDirectory);
        _scratch.Delete(recursive: true);
    }

    [Fact]
    public async Task Script_Exception_NamesTheScriptAndLine()
    {
        await File.WriteAllTextAsync("scripts/fails.csx", "var steps = 3;\nConsole.WriteLine(steps);\nthrow new InvalidOperationException(\"boom at step 3\");\n");

        var result = await ScriptRunner.RunAsync("scripts/fails.csx", []).WaitAsync(HangGuard);

        Assert.Equal(1, result.ExitCode);
        var lines = result.Error!.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal("scripts/fails.csx(3): InvalidOperationException: boom at step 3", lines[0]);
        Assert.Contains(lines, l => l.Contains("fails.csx:line 3", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("End of stack trace", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Script_ExceptionInAFrameworkCall_NamesTheScriptLineThatMadeIt()
    {
        await File.WriteAllTextAsync("scripts/parse.csx", "var text = \"not a number\";\nvar n = int.Parse(text);\n");

        var result = await ScriptRunner.RunAsync("scripts/parse.csx", []).WaitAsync(HangGuard);

        Assert.StartsWith("scripts/parse.csx(2): FormatException: ", result.Error);
    }

    [Fact]
    public async Task Script_ExceptionInALoadedFile_NamesThatFileAndLine()
    {
        await File.WriteAllTextAsync("scripts/_helper.csx", "void Check(int x)\n{\n    if (x < 0) throw new ArgumentException(\"x must not be negative\");\n}\n");
        await File.WriteAllTextAsync("scripts/main.csx", "#load \"_helper.csx\"\nCheck(1);\nCheck(-1);\n");

        var result = await ScriptRunner.RunAsync("scripts/main.csx", []).WaitAsync(HangGuard);

        var lines = result.Error!.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal($"{Path.Combine("scripts", "_helper.csx")}(3): ArgumentException: x must not be negative", lines[0]);
        Assert.Contains(lines, l => l.Contains("main.csx:line 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Cli_ScriptException_PrintsFileLineAndExitsWithOne()
    {
        File.WriteAllText("scripts/fails.csx", "\n\nthrow new InvalidOperationException(\"stop\");\n");

        var (exit, error) = RunnerOutputTests.Cli("script", "scripts/fails.csx");

        Assert.Equal(1, exit);
        Assert.StartsWith("error: scripts/fails.csx(3): InvalidOperationException: stop", error);
    }

    [Fact]
    public async Task Notebook_Exception_NamesTheCellAndLine()
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("markdown", "# 99 · Errors");
        notebook.AddCell("code", "var x = 1;\nif (x == 1)\n    throw new InvalidOperationException(\"boom\");");

        var result = await NotebookRunner.RunAsync(notebook, _scratch.FullName).WaitAsync(HangGuard);

        Assert.Equal("cell 2, line 3: InvalidOperationException: boom", result.Error);
    }
}
