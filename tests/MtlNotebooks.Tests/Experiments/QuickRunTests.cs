using MtlNotebooks.Cli;

namespace MtlNotebooks.Tests.Experiments;

[Collection("Torch")]
public sealed class QuickRunTests
{
    [Fact]
    public void RunQuickTiny_FromTheCli_WritesReportCsvAndCheckpoints()
    {
        var folder = Directory.CreateTempSubdirectory("mtl-quick-").FullName;
        try
        {
            var (exit, printed, _) = CliOutput.Run("run", "quick", "--tiny", "--output", folder);
            Assert.True(exit == 0, printed);
            Assert.Contains("Δm (%)", printed);
            Assert.Contains("single-task", printed);
            Assert.Contains("hard-sharing", printed);

            var csv = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
            Assert.Equal("model,architecture,balancer,task,metric,direction,primary,value", csv[0]);
            // 2 models x (semseg: mIoU + pixel acc; depth: RMSE, log RMSE, abs rel, three δ thresholds;
            // normals: mean and median angle, % within 11.25°, 22.5°, 30°) — the references' depth and normals metrics.
            Assert.Equal(1 + 2 * (2 + 6 + 5), csv.Length);
            Assert.Contains(csv, line => line.StartsWith("hard-sharing,HardSharing,") && line.Contains(",semseg,mIoU,higher,true,"));

            var report = File.ReadAllText(Path.Combine(folder, "report.html"));
            Assert.Contains("Plotly.newPlot", report);
            Assert.DoesNotContain("src=\"https://cdn.plot.ly", report); // plotly.js is inlined, not fetched
            Assert.Contains("data:image/png;base64,", report);
            Assert.True(File.Exists(Path.Combine(folder, "hard-sharing.ckpt")));
            Assert.True(File.Exists(Path.Combine(folder, "single-task.ckpt")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void RunQuick_InvalidOption_FailsWithClearMessage()
    {
        var (exit, _, error) = CliOutput.Run("run", "quick", "--tiny", "--batch-size", "0", "--output", Path.Combine(Path.GetTempPath(), "mtl-never"));
        Assert.Equal(1, exit);
        Assert.Contains("--batch-size must be at least 1, got 0.", error);   // the option, not an internal name
    }

    public static TheoryData<string, string> BackbonesAndHeads()
    {
        var data = new TheoryData<string, string>();
        foreach (var backbone in Backbones.All.Keys) data.Add(backbone, "conv");
        foreach (var head in Heads.All.Keys.Where(h => h != "conv")) data.Add("hrnet-w18-small", head);
        return data;
    }

    [Theory]
    [MemberData(nameof(BackbonesAndHeads))]
    public void RunQuickTiny_EveryBackboneAndHead_TrainsAndReportsDeltaM(string backbone, string head)
    {
        var folder = Directory.CreateTempSubdirectory("mtl-quick-backbone-").FullName;
        try
        {
            var (exit, printed, _) = CliOutput.Run("run", "quick", "--tiny", "--backbone", backbone, "--head", head, "--train-samples", "16", "--output", folder);
            Assert.True(exit == 0, printed);
            Assert.Contains($"backbone {Backbones.All[backbone].Name}, head {Heads.All[head].Name}", printed);
            var hardSharing = File.ReadAllLines(Path.Combine(folder, "delta_m.csv")).Single(l => l.StartsWith("hard-sharing,", StringComparison.Ordinal));
            Assert.Matches(@",[-+]?\d+(\.\d+)?$", hardSharing);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
