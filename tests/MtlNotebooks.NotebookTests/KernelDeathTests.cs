using MtlNotebooks.Scripting;

namespace MtlNotebooks.NotebookTests;

/// <summary>A cell that ends the process (a stack overflow, Environment.Exit) is recorded in that cell as "the kernel
/// died", the cells before it keep their outputs, and the command exits 1 with a message, as Jupyter shows a dead kernel.</summary>
public sealed class KernelDeathTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("mtl-death-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Theory]
    [InlineData("int Deeper(int n) => Deeper(n + 1) + 1;\nDeeper(0);", "exit code 134, SIGABRT: a stack overflow or a native crash")]
    [InlineData("Environment.Exit(3);", "exit code 3: the cell ended the process, e.g. with Environment.Exit")]
    public void ACellThatEndsTheProcess_IsRecordedInThatCell(string cell, string why)
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("code", "Console.WriteLine(\"before\");");
        notebook.AddCell("markdown", "The next cell ends the process.");
        notebook.AddCell("code", cell);
        notebook.AddCell("code", "Console.WriteLine(\"never\");");
        var input = Path.Combine(_scratch.FullName, "dies.ipynb");
        notebook.Save(input);
        var output = Path.Combine(_scratch.FullName, "out.ipynb");
        var html = Path.Combine(_scratch.FullName, "out.html");

        var (exit, error) = RunnerOutputTests.Cli("notebook", input, "--output", output, "--html", html);

        Assert.Equal(1, exit);
        Assert.Contains($"error: the kernel died while cell 3 ran ({why}); {output} shows it.", error);
        var executed = NotebookDocument.Load(output);
        Assert.Equal("before\n", string.Concat(((System.Text.Json.Nodes.JsonArray)executed.Cells[0].Outputs[0]!["text"]!).Select(l => (string?)l)));
        var died = executed.Cells[2].Outputs[^1]!;
        Assert.Equal("KernelDied", (string?)died["ename"]);
        Assert.Contains(why, (string?)died["evalue"]);
        Assert.Empty(executed.Cells[3].Outputs);
        Assert.Contains("KernelDied", File.ReadAllText(html));
    }

    [Fact]
    public void AHealthyNotebook_ExitsZero_ThroughTheChild()
    {
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("code", "Console.WriteLine(6 * 7);");
        var input = Path.Combine(_scratch.FullName, "fine.ipynb");
        notebook.Save(input);
        var (exit, error) = RunnerOutputTests.Cli("notebook", input, "--output", Path.Combine(_scratch.FullName, "fine-out.ipynb"));
        Assert.True(exit == 0, error);
        Assert.Contains("42", File.ReadAllText(Path.Combine(_scratch.FullName, "fine-out.ipynb")));
    }
}
