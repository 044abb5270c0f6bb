using MtlNotebooks.Experiments;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>A run never replaces another by accident: new folders per run, an existing run refused unless resumed or
/// overwritten, settings checked on resume, bad paths and numbers rejected before any work, in the CLI's words.</summary>
[Collection("Torch")]
public sealed class RunFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mtl-runs-").FullName;
    private static readonly Dictionary<string, string> Settings = new() { ["epochs"] = "1", ["seed"] = "0" };

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void NextVersion_CountsPastTheHighestExistingFolder()
    {
        Assert.Equal(Path.Combine(_root, "version_0"), RunFolder.NextVersion(_root));
        Directory.CreateDirectory(Path.Combine(_root, "version_0"));
        Directory.CreateDirectory(Path.Combine(_root, "version_7"));
        Directory.CreateDirectory(Path.Combine(_root, "version_x"));
        Assert.Equal(Path.Combine(_root, "version_8"), RunFolder.NextVersion(_root));
    }

    [Fact]
    public void Check_FolderWithRun_IsRefusedAndLeftAlone()
    {
        var folder = Path.Combine(_root, "run");
        RunFolder.Check(folder, ExistingRun.Refuse, Settings);
        RunFolder.Commit(folder, ExistingRun.Refuse, Settings);
        File.WriteAllText(Path.Combine(folder, "metrics.csv"), "good results");
        var error = Assert.Throws<ExistingRunException>(() => RunFolder.Check(folder, ExistingRun.Refuse, Settings));
        Assert.Contains($"'{folder}' already holds a run", error.Message);
        Assert.Equal("good results", File.ReadAllText(Path.Combine(folder, "metrics.csv")));
    }

    [Fact]
    public void Overwrite_DeletesOnlyTheRunsOwnFiles_AtCommit()
    {
        var folder = Path.Combine(_root, "run");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "a.ckpt", "metrics.csv", "notes.txt" }) File.WriteAllText(Path.Combine(folder, file), "x");
        RunFolder.Check(folder, ExistingRun.Overwrite, Settings);
        Assert.True(File.Exists(Path.Combine(folder, "a.ckpt")), "nothing is deleted before the run is validated");
        RunFolder.Commit(folder, ExistingRun.Overwrite, Settings);
        Assert.Equal(["notes.txt", "run.json"], Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void Resume_WithOtherSettings_NamesEachDifference()
    {
        var folder = Path.Combine(_root, "run");
        RunFolder.Check(folder, ExistingRun.Refuse, Settings);
        RunFolder.Commit(folder, ExistingRun.Refuse, Settings);
        var error = Assert.Throws<ArgumentException>(() => RunFolder.Check(folder, ExistingRun.Resume, new Dictionary<string, string> { ["epochs"] = "3", ["seed"] = "0" }));
        Assert.Contains("epochs: the run has 1, these settings ask for 3", error.Message);
        Assert.DoesNotContain("seed", error.Message);
        Assert.True(RunFolder.Check(folder, ExistingRun.Resume, Settings));
    }

    [Fact]
    public void Resume_EmptyFolder_SaysThereIsNothingToResume()
    {
        var error = Assert.Throws<ArgumentException>(() => RunFolder.Check(Path.Combine(_root, "none"), ExistingRun.Resume, Settings));
        Assert.Contains("holds no run to resume", error.Message);
    }

    [Fact]
    public void Check_OutputIsAFile_FailsBeforeAnyWork()
    {
        var file = Path.Combine(_root, "taken");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<IOException>(() => RunFolder.Check(file, ExistingRun.Refuse, Settings)).Message);
    }

    [Fact]
    public void RunQuick_Twice_RefusesTheSecond_ThenResumeReplaysAndOverwriteRetrains()
    {
        var folder = Path.Combine(_root, "quick");
        string[] tiny = ["run", "quick", "--tiny", "--train-samples", "16", "--output", folder];
        var (exit, output, error) = CliOutput.Run(tiny);
        Assert.True(exit == 0, output + error);
        var metrics = File.ReadAllBytes(Path.Combine(folder, "metrics.csv"));

        (exit, _, error) = CliOutput.Run(tiny);
        Assert.Equal(1, exit);
        Assert.Contains($"--output {folder} already holds a run: pass --resume", error);
        Assert.Equal(metrics, File.ReadAllBytes(Path.Combine(folder, "metrics.csv")));

        (exit, output, error) = CliOutput.Run([.. tiny, "--resume"]);
        Assert.True(exit == 0, output + error);
        Assert.Contains("Resuming the run", output);
        Assert.Equal(metrics, File.ReadAllBytes(Path.Combine(folder, "metrics.csv")));

        (exit, output, error) = CliOutput.Run([.. tiny, "--overwrite"]);
        Assert.True(exit == 0, output + error);
        Assert.Equal(metrics, File.ReadAllBytes(Path.Combine(folder, "metrics.csv")));   // retrained, same seed
    }

    [Theory]
    [InlineData("--resume", "--overwrite", "--resume and --overwrite contradict each other")]
    [InlineData("--resume", null, "--resume acts on an existing run: name its folder with --output")]
    [InlineData("--epochs", "0", "--epochs must be at least 1, got 0.")]
    [InlineData("--train-samples", "-3", "--train-samples must be at least 1, got -3.")]
    [InlineData("--image-size", "4", "--image-size must be at least 8, got 4.")]
    [InlineData("--lr", "0", "--lr must be a positive number, got 0.")]
    [InlineData("--width", "0", "--width must be at least 1, got 0.")]
    [InlineData("--seeds", "0", "--seeds must be at least 1, got 0.")]
    public void RunQuick_BadOptions_NameTheOptionBeforeAnyWork(string option, string? value, string expected)
    {
        string[] args = value is null ? ["run", "quick", option] : ["run", "quick", option, value];
        var (exit, output, error) = CliOutput.Run(args);
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, output + error);
        Assert.False(Directory.Exists(Path.Combine("runs", "quick", "version_0")) && Directory.GetFiles(Path.Combine("runs", "quick", "version_0")).Length == 0,
            "a rejected command must not leave an empty run folder");
    }

    [Theory]
    [InlineData("bench", "--steps", "0", "--steps must be at least 1, got 0.")]
    [InlineData("bench", "--threads", "0", "--threads must be at least 1, got 0.")]
    [InlineData("bench-backbones", "--warmup", "-1", "--warmup must be at least 0, got -1.")]
    [InlineData("data", "preview", "--samples", "0", "--samples must be at least 1, got 0.")]
    public void Commands_ZeroOrNegativeNumbers_GiveAMessageNotAnException(params string[] argsAndExpected)
    {
        var (exit, output, error) = CliOutput.Run(argsAndExpected[..^1]);
        Assert.NotEqual(0, exit);
        Assert.Contains(argsAndExpected[^1], output + error);
        Assert.DoesNotContain("Exception", output + error);
    }
}
