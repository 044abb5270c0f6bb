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
    public void TheChild_EndsWithItsParent_NotLeftTrainingAsAnOrphan()
    {
        if (!OperatingSystem.IsLinux()) return;
        var pidFile = Path.Combine(_scratch.FullName, "child.pid");
        var notebook = NotebookDocument.CreateCSharp();
        notebook.AddCell("code", $"System.IO.File.WriteAllText(@\"{pidFile}\", Environment.ProcessId.ToString());\nwhile (true) System.Threading.Thread.Sleep(50);");
        var input = Path.Combine(_scratch.FullName, "forever.ipynb");
        notebook.Save(input);
        var info = new System.Diagnostics.ProcessStartInfo(MtlNotebooks.Kernel.KernelSpecs.DotnetHost())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in new[] { typeof(MtlNotebooks.Cli.CliApp).Assembly.Location, "notebook", input, "--output", Path.Combine(_scratch.FullName, "forever-out.ipynb") })
            info.ArgumentList.Add(argument);
        using var parent = System.Diagnostics.Process.Start(info)!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(pidFile) && clock.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(100);
        Thread.Sleep(200);
        int child = int.Parse(File.ReadAllText(pidFile));
        parent.Kill();   // SIGKILL: the parent gets no chance to stop the child itself
        parent.WaitForExit();
        clock.Restart();
        while (Alive(child) && clock.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(50);
        Assert.False(Alive(child), $"the child {child} outlived its parent by 5 s");
    }

    /// <summary>Running, not a zombie waiting for its new parent to reap it.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
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
