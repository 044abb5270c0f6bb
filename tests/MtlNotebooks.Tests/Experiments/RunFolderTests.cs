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

    private static readonly string[] Outputs = ["a.ckpt", "metrics.csv"];

    /// <summary>Takes the folder, starts the run and lets it go, as an experiment does.</summary>
    private static void Start(string folder, ExistingRun existing = ExistingRun.Refuse, IReadOnlyDictionary<string, string>? settings = null)
    {
        using var run = RunFolder.Open(folder, existing, settings ?? Settings, Outputs);
        run.Commit();
    }

    [Fact]
    public void Open_FolderWithRun_IsRefusedAndLeftAlone()
    {
        var folder = Path.Combine(_root, "run");
        Start(folder);
        File.WriteAllText(Path.Combine(folder, "metrics.csv"), "good results");
        var error = Assert.Throws<ExistingRunException>(() => RunFolder.Open(folder, ExistingRun.Refuse, Settings, Outputs));
        Assert.Contains($"'{folder}' already holds a run", error.Message);
        Assert.Equal("good results", File.ReadAllText(Path.Combine(folder, "metrics.csv")));
    }

    [Fact]
    public void RunJson_ListsEveryFileTheRunWrites()
    {
        var folder = Path.Combine(_root, "run");
        Start(folder);
        var json = File.ReadAllText(Path.Combine(folder, RunFolder.SettingsFile));
        foreach (var name in new[] { "a.ckpt", "metrics.csv", "run.json", "run.lock", "\"epochs\": \"1\"" }) Assert.Contains(name, json);
    }

    [Fact]
    public void Overwrite_DeletesExactlyTheListedFiles_AtCommit()
    {
        var folder = Path.Combine(_root, "run");
        Start(folder);
        foreach (var file in new[] { "a.ckpt", "metrics.csv", "notes.txt", "my-model.ckpt", ".a.ckpt.0123.tmp" }) File.WriteAllText(Path.Combine(folder, file), "x");
        using (var run = RunFolder.Open(folder, ExistingRun.Overwrite, Settings, Outputs))
        {
            Assert.True(File.Exists(Path.Combine(folder, "a.ckpt")), "nothing is deleted before the run is validated");
            run.Commit();
        }
        Assert.Equal(["my-model.ckpt", "notes.txt", "run.json", "run.lock"], Directory.GetFiles(folder).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void Overwrite_AUsersFileOfANameThePreviousRunDidNotList_IsNotReplaced()
    {
        var folder = Path.Combine(_root, "run");
        Start(folder);
        File.WriteAllText(Path.Combine(folder, "b.ckpt"), "mine");
        var error = Assert.Throws<IOException>(() => RunFolder.Open(folder, ExistingRun.Overwrite, Settings, ["a.ckpt", "b.ckpt"]));
        Assert.Contains("(b.ckpt) that the previous run did not list", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, "b.ckpt")));
    }

    [Fact]
    public void AFolderTheRunCreated_IsRemoved_WhenTheRunFailsBeforeItStarts()
    {
        var folder = Path.Combine(_root, "never-started");
        using (RunFolder.Open(folder, ExistingRun.Refuse, Settings, Outputs)) Assert.True(Directory.Exists(folder));
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void RunsStartedTogether_WithoutAFolder_TakeSuccessiveVersions()
    {
        var options = QuickExperimentOptions.Tiny;
        using var first = QuickExperiment.OpenFolder(options, _root);
        using var second = QuickExperiment.OpenFolder(options, _root);
        Assert.Equal([Path.Combine(_root, "version_0"), Path.Combine(_root, "version_1")], new[] { first.Folder, second.Folder });
    }

    [Fact]
    public void Overwrite_FolderWithFilesButNoRunJson_IsRefusedNamingThem_AndNothingIsDeleted()
    {
        var folder = Path.Combine(_root, "mine");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "my-model.ckpt", "report.html", "metrics.csv" }) File.WriteAllText(Path.Combine(folder, file), "mine");
        var error = Assert.Throws<ArgumentException>(() => RunFolder.Open(folder, ExistingRun.Overwrite, Settings, Outputs));
        Assert.Contains("metrics.csv, my-model.ckpt, report.html", error.Message);
        Assert.Contains("has none", error.Message);
        foreach (var file in new[] { "my-model.ckpt", "report.html", "metrics.csv" }) Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, file)));
    }

    [Fact]
    public void Refuse_UsersFilesOfTheSameNames_AreNeverReplaced()
    {
        var folder = Path.Combine(_root, "mine");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "metrics.csv"), "mine");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        var error = Assert.Throws<IOException>(() => RunFolder.Open(folder, ExistingRun.Refuse, Settings, Outputs));
        Assert.Contains("would replace (metrics.csv)", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, "metrics.csv")));
        // Files of other names do not stand in the way.
        File.Delete(Path.Combine(folder, "metrics.csv"));
        Start(folder);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, "notes.txt")));
    }

    [Fact]
    public void OneWriterPerFolder_ASecondOpenIsRefusedNamingTheProcess_AndTheFolderIsFreeAfterwards()
    {
        var folder = Path.Combine(_root, "shared");
        using (var first = RunFolder.Open(folder, ExistingRun.Refuse, Settings, Outputs))
        {
            foreach (var existing in new[] { ExistingRun.Refuse, ExistingRun.Overwrite, ExistingRun.Resume })
            {
                var error = Assert.Throws<RunFolderInUseException>(() => RunFolder.Open(folder, existing, Settings, Outputs));
                Assert.Contains($"is in use by another run: process {Environment.ProcessId} (", error.Message);
            }
            first.Commit();
        }
        Assert.False(File.Exists(Path.Combine(folder, "run.owner")), "the owner note goes with the lock");
        using var resumed = RunFolder.Open(folder, ExistingRun.Resume, Settings, Outputs);
        Assert.True(resumed.Resuming);
    }

    [Fact]
    public void Resume_WithOtherSettings_NamesEachDifference()
    {
        var folder = Path.Combine(_root, "run");
        Start(folder);
        var error = Assert.Throws<ArgumentException>(() => RunFolder.Open(folder, ExistingRun.Resume, new Dictionary<string, string> { ["epochs"] = "3", ["seed"] = "0" }, Outputs));
        Assert.Contains("epochs: the run has 1, these settings ask for 3", error.Message);
        Assert.DoesNotContain("seed", error.Message);
        error = Assert.Throws<ArgumentException>(() => RunFolder.Open(folder, ExistingRun.Resume, Settings, ["b.ckpt"]));
        Assert.Contains("files: the run lists a.ckpt, metrics.csv, run.json, run.lock, run.owner; this run would write b.ckpt", error.Message);
        using var run = RunFolder.Open(folder, ExistingRun.Resume, Settings, Outputs);
        Assert.True(run.Resuming);
    }

    [Fact]
    public void Resume_RunJsonOfAnEarlierVersion_HoldingOnlySettings_StillResumes_ButIsNotOverwritten()
    {
        var folder = Path.Combine(_root, "old");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "run.json"), "{ \"epochs\": \"1\", \"seed\": \"0\" }");
        File.WriteAllText(Path.Combine(folder, "a.ckpt"), "x");
        Assert.Contains("does not list the run's files", Assert.Throws<ArgumentException>(() => RunFolder.Open(folder, ExistingRun.Overwrite, Settings, Outputs)).Message);
        Assert.True(File.Exists(Path.Combine(folder, "a.ckpt")));
        using var run = RunFolder.Open(folder, ExistingRun.Resume, Settings, Outputs);
        run.Commit();
        Assert.Contains("\"files\"", File.ReadAllText(Path.Combine(folder, "run.json")));
    }

    [Fact]
    public void Resume_EmptyFolder_SaysThereIsNothingToResume_AndLeavesNoFolder()
    {
        var folder = Path.Combine(_root, "none");
        var error = Assert.Throws<ArgumentException>(() => RunFolder.Open(folder, ExistingRun.Resume, Settings, Outputs));
        Assert.Contains("holds no run to resume", error.Message);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Open_OutputIsAFile_FailsBeforeAnyWork()
    {
        var file = Path.Combine(_root, "taken");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<IOException>(() => RunFolder.Open(file, ExistingRun.Refuse, Settings, Outputs)).Message);
    }

    [Fact]
    public void RunQuick_OverwriteOfAFolderOfTheUsersFiles_IsRefused_AndARunInProgressBlocksAnother()
    {
        var folder = Path.Combine(_root, "users");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "my-model.ckpt", "report.html", "metrics.csv" }) File.WriteAllText(Path.Combine(folder, file), "mine");
        var (exit, output, error) = CliOutput.Run("run", "quick", "--tiny", "--output", folder, "--overwrite");
        Assert.Equal(1, exit);
        Assert.Contains("metrics.csv, my-model.ckpt, report.html", error);
        foreach (var file in new[] { "my-model.ckpt", "report.html", "metrics.csv" }) Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, file)));

        var busy = Path.Combine(_root, "busy");
        using var running = RunFolder.Open(busy, ExistingRun.Refuse, Settings, Outputs);
        foreach (var flag in new[] { "--resume", "--overwrite" })
        {
            (exit, output, error) = CliOutput.Run("run", "quick", "--tiny", "--output", busy, flag);
            Assert.Equal(1, exit);
            Assert.Contains($"is in use by another run: process {Environment.ProcessId}", error);
        }
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
    [InlineData("--image-size", "4", "--image-size must be at least 16, got 4.")]
    [InlineData("--lr", "0", "--lr must be a positive number, got 0.")]
    [InlineData("--width", "0", "--width must be at least 1, got 0.")]
    [InlineData("--seeds", "0", "--seeds must be at least 1, got 0.")]
    [InlineData("--class-by-colour", "1.5", "--class-by-colour is a share from 0 to 1, got 1.5.")]
    [InlineData("--class-by-texture", "-0.5", "--class-by-texture is a share from 0 to 1, got -0.5.")]
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
