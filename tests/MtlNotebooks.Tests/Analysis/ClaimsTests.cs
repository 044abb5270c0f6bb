using MtlNotebooks.Analysis;

namespace MtlNotebooks.Tests.Analysis;

/// <summary>Paper claims checked over seeds: Δm per seed against that seed's baselines, the paired t-test and the verdict,
/// against values worked out by hand. With two degrees of freedom Student's t has the closed form
/// p = 1 − |t| / √(2 + t²) (two-sided), so the p-values below need no table.</summary>
public sealed class ClaimsTests
{
    // Baselines (50 mIoU, 2.0 RMSE) every seed. "steady": seg 55, 56, 57 → Δm +5, +6, +7 (depth unchanged).
    // "noisy": seg 55, 60, 52.5 → Δm +5, +10, +2.5. "same": equal to steady.
    private static SeededRuns ThreeSeeds() => new(Enumerable.Range(0, 3).Select(seed => (seed, (IReadOnlyList<RunResult>)
    [
        AnalysisFixtures.Run("single-task", AnalysisFixtures.Nyud(50, 2.0)),
        AnalysisFixtures.Run("steady", AnalysisFixtures.Nyud(new[] { 55, 56, 57.0 }[seed], 2.0)),
        AnalysisFixtures.Run("noisy", AnalysisFixtures.Nyud(new[] { 55, 60, 52.5 }[seed], 2.0)),
        AnalysisFixtures.Run("same", AnalysisFixtures.Nyud(new[] { 55, 56, 57.0 }[seed], 2.0)),
    ])));

    private static double TwoDegreesP(double t) => 1 - Math.Abs(t) / Math.Sqrt(2 + t * t);

    [Fact]
    public void DeltaMs_PerSeedAgainstThatSeedsBaselines()
    {
        var runs = ThreeSeeds();

        Assert.Equal([0.0, 0, 0], runs.DeltaMs("single-task"));
        Assert.Equal([5.0, 6, 7], runs.DeltaMs("steady").Select(d => Math.Round(d, 10)));
        Assert.Equal([5.0, 10, 2.5], runs.DeltaMs("noisy").Select(d => Math.Round(d, 10)));
    }

    [Fact]
    public void ASteadyGain_IsReproduced_AndItsOppositeIsNot()
    {
        var results = Claims.Check(ThreeSeeds(),
        [
            new PaperClaim("Multi-task beats single-task.", "Table 1", "steady", "single-task", ClaimSign.Above),
            new PaperClaim("Multi-task loses to single-task.", "Table 1", "steady", "single-task", ClaimSign.Below),
        ]);

        // Differences 5, 6, 7: mean 6, sample std 1, t = 6 / (1 / √3).
        var p = TwoDegreesP(6 * Math.Sqrt(3));
        Assert.Equal(p, results[0].PValue, 9);
        Assert.True(p < 0.01);
        Assert.Equal(ClaimVerdict.Reproduced, results[0].Verdict);
        Assert.Equal(ClaimVerdict.NotReproduced, results[1].Verdict);
        Assert.Equal(6, results[0].MeanDifference, 9);
        Assert.Equal(6, results[0].ArmDeltaM.Mean, 9);
        Assert.Equal(1, results[0].ArmDeltaM.Std, 9);
        Assert.Equal((0.0, 0.0), results[0].AgainstDeltaM);
    }

    [Fact]
    public void ANoisyGain_IsWithinNoise()
    {
        var result = Claims.Check(ThreeSeeds(), [new PaperClaim("Noisy beats single-task.", "Table 2", "noisy", "single-task", ClaimSign.Above)])[0];

        // Differences 5, 10, 2.5: mean 35/6, sample std √(175/12), t = mean / (std / √3) ≈ 2.646, p ≈ 0.118.
        var mean = 35.0 / 6;
        var t = mean / (Math.Sqrt(175.0 / 12) / Math.Sqrt(3));
        Assert.Equal(TwoDegreesP(t), result.PValue, 9);
        Assert.Equal(0.118, result.PValue, 3);
        Assert.Equal(ClaimVerdict.WithinNoise, result.Verdict);
        Assert.Equal("within noise", result.VerdictText);
    }

    [Fact]
    public void CheckThoseRun_LeavesOutClaimsOnConfigurationsNotRun()
    {
        var results = Claims.CheckThoseRun(ThreeSeeds(),
        [
            new PaperClaim("Steady beats single-task.", "Table 1", "steady", "single-task", ClaimSign.Above),
            new PaperClaim("MTAN beats steady.", "Table 1", "mtan", "steady", ClaimSign.Above),
            new PaperClaim("Steady beats MTAN.", "Table 1", "steady", "mtan", ClaimSign.Above),
        ]);

        Assert.Equal("steady > single-task", Assert.Single(results).Claim.Comparison);
    }

    [Fact]
    public void TwoArmsThatDoNotDiffer_AreWithinNoise()
    {
        var result = Claims.Check(ThreeSeeds(), [new PaperClaim("Same beats steady.", "Table 3", "same", "steady", ClaimSign.Above)])[0];

        Assert.Equal(1.0, result.PValue);
        Assert.Equal(ClaimVerdict.WithinNoise, result.Verdict);
    }

    [Fact]
    public void Table_OneRowPerClaim_WithMeanStdAndVerdict()
    {
        var results = Claims.Check(ThreeSeeds(),
        [
            new PaperClaim("Multi-task beats single-task.", "Table 1", "steady", "single-task", ClaimSign.Above),
            new PaperClaim("Noisy beats single-task.", "Table 2", "noisy", "single-task", ClaimSign.Above),
        ]);
        var table = Claims.Table(results);

        Assert.Equal(["source", "claim", "comparison", "Δm arm (%)", "Δm against (%)", "difference (pp)", "p", "seeds", "verdict"],
            table.Columns.Select(c => c.Name));
        Assert.Equal("steady > single-task", table.Columns["comparison"][0]);
        Assert.Equal("+6.00 ± 1.00", table.Columns["Δm arm (%)"][0]);
        Assert.Equal("0–2", table.Columns["seeds"][0]);
        Assert.Equal(["reproduced", "within noise"], Enumerable.Range(0, 2).Select(r => (string)table.Columns["verdict"][r]));
        Assert.Equal("1 of 2 claims reproduced at p < 0.05 over seeds 0–2 (1 within noise, 0 not reproduced)", Claims.Summary(results));
    }

    [Fact]
    public void OneSeed_CannotReproduceAnything()
    {
        var one = new SeededRuns([(0, [AnalysisFixtures.Run("single-task", AnalysisFixtures.Nyud(50, 2)), AnalysisFixtures.Run("steady", AnalysisFixtures.Nyud(60, 2))])]);

        var results = Claims.Check(one,
        [
            new PaperClaim("Steady beats single-task.", "Table 1", "steady", "single-task", ClaimSign.Above),
            new PaperClaim("Steady is on par with single-task.", "Table 1", "steady", "single-task", ClaimSign.NotBelow),
        ]);

        Assert.All(results, r => Assert.True(double.IsNaN(r.PValue)));
        Assert.All(results, r => Assert.Equal(ClaimVerdict.WithinNoise, r.Verdict));
        Assert.Equal("+10.00", Claims.Table(results).Columns["Δm arm (%)"][0]);   // one seed: no std to show
    }

    [Fact]
    public void ClaimsNamingConfigurationsThatWereNotRun_AreAllListed()
    {
        var error = Assert.Throws<ArgumentException>(() => Claims.Check(ThreeSeeds(),
        [
            new PaperClaim("A.", "T", "mti-net", "single-task", ClaimSign.Above),
            new PaperClaim("B.", "T", "steady", "pad-net", ClaimSign.Above),
        ]));

        Assert.Contains("'mti-net', 'pad-net'", error.Message);
        Assert.Contains("'steady'", error.Message);
    }

    [Fact]
    public void OnPar_IsReproducedUnlessSignificantlyBelow()
    {
        var results = Claims.Check(ThreeSeeds(),
        [
            new PaperClaim("Noisy is on par with single task.", "T", "noisy", "single-task", ClaimSign.NotBelow),
            new PaperClaim("Single task is on par with steady.", "T", "single-task", "steady", ClaimSign.NotBelow),
        ]);

        Assert.Equal(ClaimVerdict.Reproduced, results[0].Verdict);      // p ≈ 0.118, above: on par
        Assert.Equal(ClaimVerdict.NotReproduced, results[1].Verdict);   // 6 points below at p < 0.01
        Assert.Equal("single-task ≥ steady", results[1].Claim.Comparison);
    }

    [Fact]
    public void PaperClaims_QuoteThePapers_AndPointTheWayTheTablesDo()
    {
        var all = PaperClaims.AstmtTable3.Concat(PaperClaims.SurveyTableVNyud).Concat(PaperClaims.SurveyTableVPascal).ToList();

        Assert.All(all, c => Assert.False(string.IsNullOrWhiteSpace(c.Statement)));
        // ASTMT Table 3 prints drops: the MT baseline's 6.62 is negative transfer, below the single-task networks.
        Assert.Equal(("MT baseline", "single task", ClaimSign.Below), (PaperClaims.AstmtTable3[0].Arm, PaperClaims.AstmtTable3[0].Against, PaperClaims.AstmtTable3[0].Expected));
        Assert.All(PaperClaims.AstmtTable3.Skip(1), c => Assert.Equal(("MT baseline", ClaimSign.Above), (c.Against, c.Expected)));
        Assert.Equal(ClaimSign.Below, PaperClaims.SurveyTableVPascal.Single().Expected);
        Assert.Equal(["cross-stitch", "NDDR-CNN"], PaperClaims.SurveyTableVNyud.Where(c => c.Expected == ClaimSign.Above).Select(c => c.Arm));
    }
}
