namespace MtlNotebooks.Tests.Experiments;

/// <summary><c>run quick --architecture branched</c>: the tree comes from the single-task baselines the run trains, and a resumed
/// run derives the same network again.</summary>
[Collection("Torch")]
public sealed class BranchedRunTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mtl-branched-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string[] Tiny(string folder) =>
        ["run", "quick", "--tiny", "--train-samples", "16", "--architecture", "branched", "--output", folder];

    [Fact]
    public void RunQuickTiny_Branched_DerivesTheTreeFromTheBaselines_AndResumes()
    {
        var folder = Path.Combine(_root, "quick");
        var (exit, output, error) = CliOutput.Run(Tiny(folder));

        Assert.True(exit == 0, output + error);
        Assert.Contains("branched: Branched(1", output);
        var csv = File.ReadAllText(Path.Combine(folder, "metrics.csv"));
        Assert.Contains("branched,\"Branched(1", csv);
        var reference = File.ReadAllBytes(Path.Combine(folder, "branched.ckpt"));

        File.Delete(Path.Combine(folder, "branched.ckpt"));
        File.Delete(Path.Combine(folder, "metrics.csv"));
        (exit, output, error) = CliOutput.Run([.. Tiny(folder), "--resume"]);

        Assert.True(exit == 0, output + error);
        Assert.Equal(csv, File.ReadAllText(Path.Combine(folder, "metrics.csv")));
        Assert.True(reference.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder, "branched.ckpt"))), "the resumed run trained another network");
    }
}
