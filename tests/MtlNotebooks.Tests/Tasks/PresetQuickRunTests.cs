namespace MtlNotebooks.Tests.Tasks;

[Collection("Torch")]
public sealed class PresetQuickRunTests
{
    /// <summary>One CSV line into fields (RFC 4180 quotes).</summary>
    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return [.. fields];
    }

    [Fact]
    public void RunQuickTiny_SyntheticPascal_TrainsAllFiveTasksWithThePapersWeights()
    {
        var folder = Directory.CreateTempSubdirectory("mtl-quick-pascal-").FullName;
        try
        {
            var (exit, printed, error) = CliOutput.Run("run", "quick", "--tiny", "--dataset", "synthetic-pascal", "--output", folder);
            Assert.True(exit == 0, printed + error);
            var csv = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
            var primaries = csv.Skip(1).Select(SplitCsv).Where(f => f[0] == "hard-sharing" && f[6] == "true").ToList();
            Assert.Equal(["semseg", "human_parts", "sal", "normals", "edge"], primaries.Select(p => p[3]).ToArray());
            Assert.Equal(["mIoU", "mIoU", "mIoU", "mean angle (deg)", "odsF"], primaries.Select(p => p[4]).ToArray());
            Assert.All(primaries, p => Assert.True(double.IsFinite(double.Parse(p[7], System.Globalization.CultureInfo.InvariantCulture)), string.Join(",", p)));
            Assert.All(primaries, p => Assert.Equal("Fixed (semseg 1, human_parts 2, sal 5, normals 10, edge 50)", p[2]));
            var report = File.ReadAllText(Path.Combine(folder, "report.html"));
            Assert.Contains("human_parts", report);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void RunQuickTiny_NyudFixtureOnDisk_TrainsTheFourNyudTasks()
    {
        using var fixture = MtlNotebooks.Tests.Data.DataFixture.Nyud(train: 4, validation: 2, height: 24, width: 32);
        var folder = Directory.CreateTempSubdirectory("mtl-quick-nyud-").FullName;
        try
        {
            var (exit, printed, error) = CliOutput.Run("run", "quick", "--tiny", "--dataset", "nyud", "--data-root", fixture.Root,
                "--batch-size", "2", "--image-size", "24", "--output", folder);
            Assert.True(exit == 0, printed + error);
            Assert.Contains("NYUD-v2 from " + fixture.Root + ": 4 train / 2 validation, 24x32", printed);
            var csv = File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Skip(1).Select(SplitCsv).ToList();
            Assert.Equal(["semseg", "depth", "normals", "edge"], csv.Where(f => f[0] == "hard-sharing" && f[6] == "true").Select(f => f[3]).ToArray());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void RunQuick_RealDataSetWithoutRoot_SaysWhatIsMissing()
    {
        var (exit, _, error) = CliOutput.Run("run", "quick", "--tiny", "--dataset", "nyud", "--output", Path.Combine(Path.GetTempPath(), "mtl-never"));
        Assert.Equal(1, exit);
        Assert.Contains("--data-root", error);
        Assert.Contains("nyud-v2.json", error);
    }
}
