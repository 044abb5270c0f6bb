using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;

namespace MtlNotebooks.Tests.Experiments;

/// <summary>Claims checked by training: the papers' groups compare networks they train, a run checks each claim on its
/// own group's seeds and writes the table, a resumed run reads the networks back instead of training them again, and
/// every problem is named before anything trains.</summary>
[Collection("Torch")]
public sealed class ClaimsExperimentTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mtl-claims-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private QuickExperimentOptions Tiny(string name) => QuickExperimentOptions.Tiny with
    {
        ImageSize = 32, TrainSamples = 16, ValidationSamples = 8, Width = 4, Seeds = 2,
        Scenes = new SceneOptions { ClassByTexture = 1 }, OutputDirectory = Path.Combine(_root, name),
    };

    [Fact]
    public void PaperGroups_CoverTheEightClaims_AndEachComparesNetworksItTrains()
    {
        Assert.All(PaperClaimGroups.All, g => Assert.Empty(g.Problems()));
        Assert.Equal(["astmt-table3", "survey-nyud", "survey-pascal", "mti-net-table2"], PaperClaimGroups.All.Select(g => g.Name));
        // ASTMT's three, the survey's on par / above / above on NYUD and below on PASCAL, MTI-Net's three.
        Assert.Equal([3, 3, 1, 3], PaperClaimGroups.All.Select(g => g.Claims.Count));
        var mti = PaperClaimGroups.MtiNetTable2.Claims;
        Assert.Equal(["mti-net > hard-sharing", "mti-net > pad-net", "mti-net > mti-net-without-fpm"], mti.Select(c => c.Comparison));
        Assert.Equal("se-adapters-adversarial > mt-baseline", PaperClaimGroups.AstmtTable3.Claims[2].Comparison);
        Assert.Equal("single-task", PaperClaimGroups.SurveyPascal.Claims[0].Against);
    }

    [Fact]
    public void PaperGroups_EveryNetworkPassesTheBuildersChecks()
    {
        foreach (var group in PaperClaimGroups.All)
        {
            var builder = group.Dataset.Tasks.Aggregate(MultiTaskNet.CreateBuilder().UseBackbone(group.Backbone!(4)), (b, t) => b.AddTask(t));
            foreach (var arm in group.Arms)
                Assert.True(builder.UseArchitecture(arm.Architecture).Plan().Problems.Count == 0, $"{group.Name}/{arm.Name}");
        }
    }

    [Fact]
    public void Renamed_MapsOnlyTheNamesGiven()
    {
        var claim = new PaperClaim("s", "t", "MTL", "single task", ClaimSign.Below);
        var renamed = claim.Renamed(new Dictionary<string, string> { ["MTL"] = "hard-sharing" });
        Assert.Equal(("hard-sharing", "single task", "s"), (renamed.Arm, renamed.Against, renamed.Statement));
    }

    [Fact]
    public void Run_ChecksEachGroupsClaimsOnItsSeeds_WritesTheTable_AndResumesWithoutTraining()
    {
        var options = Tiny("run");

        var result = ClaimsExperiment.Run([PaperClaimGroups.SurveyPascal], options);

        var claim = Assert.Single(result.Claims);
        Assert.Equal([0, 1], claim.Seeds);
        var deltaMs = result.Groups["survey-pascal"].Seeded.DeltaMs("hard-sharing");
        Assert.Equal(deltaMs.Average(), claim.ArmDeltaM.Mean, 9);
        Assert.Equal(deltaMs.Average(), claim.MeanDifference, 9);   // against the single-task networks, Δm 0
        Assert.Equal("survey-pascal", (string)result.Table["group"][0]);
        Assert.Equal("hard-sharing < single-task", (string)result.Table["comparison"][0]);
        var csv = File.ReadAllLines(result.ClaimsCsvPath);
        Assert.StartsWith("group,source,claim,comparison,", csv[0]);
        Assert.Equal(2, csv.Length);

        var checkpoint = Path.Combine(options.OutputDirectory!, "survey-pascal", "hard-sharing.ckpt");
        var written = File.GetLastWriteTimeUtc(checkpoint);
        var again = ClaimsExperiment.Run([PaperClaimGroups.SurveyPascal], options with { ExistingRun = ExistingRun.Resume });
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));
        Assert.Equal(claim.PValue, again.Claims[0].PValue);
        Assert.Equal(claim.ArmDeltaM, again.Claims[0].ArmDeltaM);

        // A resumed run may add a group: the finished one is read back, the new one trained.
        var more = ClaimsExperiment.Run([PaperClaimGroups.SurveyPascal, PaperClaimGroups.SurveyPascal with { Name = "survey-pascal-again" }],
            options with { ExistingRun = ExistingRun.Resume });
        Assert.Equal(written, File.GetLastWriteTimeUtc(checkpoint));
        Assert.Equal(["survey-pascal", "survey-pascal-again"], Enumerable.Range(0, 2).Select(i => (string)more.Table["group"][i]));
        Assert.Equal(3, File.ReadAllLines(more.ClaimsCsvPath).Length);

        Assert.Throws<ExistingRunException>(() => ClaimsExperiment.Run([PaperClaimGroups.SurveyPascal], options));
    }

    [Fact]
    public void Problems_AreAllNamedAtOnce_BeforeAnyFolderIsMade()
    {
        var stray = PaperClaimGroups.SurveyPascal with
        {
            Name = "Bad Name",
            Claims = [new PaperClaim("s", "t", "mtan", "single-task", ClaimSign.Below)],
        };
        var options = Tiny("refused") with { Seeds = 1, Scenes = new SceneOptions { ClassByTexture = 1.5 } };

        var ex = Assert.Throws<ArgumentException>(() => ClaimsExperiment.Run([stray, PaperClaimGroups.SurveyPascal, PaperClaimGroups.SurveyPascal], options));

        Assert.Contains("'Bad Name': a group's name is its folder", ex.Message);
        Assert.Contains("a claim compares 'mtan', which the group does not train", ex.Message);
        Assert.Contains("Two claim groups are named 'survey-pascal'", ex.Message);
        Assert.Contains("needs at least 2", ex.Message);
        Assert.Contains("SceneOptions.ClassByTexture is 1.5", ex.Message);
        Assert.False(Directory.Exists(options.OutputDirectory));
        Assert.Contains("leave QuickExperimentOptions.Dataset", Assert.Throws<ArgumentException>(() =>
            ClaimsExperiment.Run([PaperClaimGroups.SurveyPascal], Tiny("real") with { Dataset = DataSetPresets.Nyud })).Message);
    }

    [Fact]
    public void Cli_RunClaims_PrintsTheTable_AndNamesBadOptions()
    {
        var folder = Path.Combine(_root, "cli");
        var (exit, output, error) = CliOutput.Run("run", "claims", "--tiny", "--group", "survey-pascal", "--output", folder);

        Assert.True(exit == 0, error);
        Assert.Contains("hard-sharing < single-task", output);
        Assert.Contains("claims reproduced at p < 0.05 over seeds 0, 1", output);
        Assert.True(File.Exists(Path.Combine(folder, ClaimsExperiment.ClaimsCsvFile)));
        // The texture scenes are the default: the group's run records them.
        Assert.Equal("1", System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "survey-pascal", "run.json")))
            .RootElement.GetProperty("settings").GetProperty("classByTexture").GetString());

        (exit, _, error) = CliOutput.Run("run", "claims", "--tiny", "--group", "survey-pascal", "--output", folder);
        Assert.Equal(1, exit);
        Assert.Contains("already holds a run: pass --resume", error);
        (exit, _, error) = CliOutput.Run("run", "claims", "--seeds", "1");
        Assert.Equal(1, exit);
        Assert.Contains("--seeds must be at least 2, got 1.", error);
        (exit, _, error) = CliOutput.Run("run", "claims", "--group", "survey-mars");
        Assert.Equal(1, exit);
        Assert.Contains("survey-mars", error);
        Assert.DoesNotContain("Exception", error);
    }
}
