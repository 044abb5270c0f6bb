namespace MtlNotebooks.Tests.Cli;

/// <summary>Paths given on the command line are checked before any work, in words that name the option and the path.</summary>
public sealed class PathOptionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mtl-paths-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string In(string relative) => Path.Combine(_root, relative);

    [Fact]
    public void APathUnderAFile_AnEmptyPath_AndAFolderForAFile_AreNamed()
    {
        File.WriteAllText(In("afile"), "x");
        Directory.CreateDirectory(In("o"));
        var cases = new (string[] Args, string Expected)[]
        {
            (["run", "quick", "--tiny", "--output", In("afile/sub")], $"--output {In("afile/sub")}: {In("afile")} is a file, so no folder can be made there."),
            (["run", "quick", "--tiny", "--output", ""], "--output: the path is empty; name a folder."),
            (["run", "quick", "--tiny", "--output", In("afile")], $"--output {In("afile")} is a file; name a folder."),
            (["data", "preview", "--output", In("o") + "/"], $"--output {In("o")}/ is a folder; name a file."),
            (["data", "preview", "--output", In("afile/x.png")], $"{In("afile")} is a file"),
            (["bench-balancers", "--csv", In("afile/t.csv")], $"--csv {In("afile/t.csv")}: {In("afile")} is a file"),
            (["bench-balancers", "--csv", In("o")], $"--csv {In("o")} is a folder; name a file."),
            (["bench-balancers", "--delta-m", "--output", In("afile/league")], $"{In("afile")} is a file"),
        };
        foreach (var (args, expected) in cases)
        {
            var (exit, output, error) = CliOutput.Run(args);
            Assert.True(exit == 1, $"{string.Join(' ', args)}: exit {exit}\n{output}{error}");
            Assert.Contains(expected, error);
            Assert.DoesNotContain("Exception", output + error);
        }
        Assert.Equal(["afile", "o"], Directory.GetFileSystemEntries(_root).Select(e => Path.GetFileName(e)!).Order().ToArray());
    }

    [Fact]
    public void BenchModels_APythonThatIsNotThere_IsRefused()
    {
        var (exit, _, error) = CliOutput.Run("bench-models", "--python", "/nonexistent/python3", "--model", "hard-sharing");
        Assert.Equal(1, exit);
        Assert.Contains("--python: '/nonexistent/python3' is not a program here", error);
    }
}
