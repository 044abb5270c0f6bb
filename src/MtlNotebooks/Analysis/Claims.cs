using Microsoft.Data.Analysis;

namespace MtlNotebooks.Analysis;

/// <summary>Checks papers' claims on runs over seeds and lays them out as a table: for each claim both arms' Δm mean ± std,
/// the paired t-test over the seeds (Δm of both sides is taken per seed against that seed's single-task baselines, so
/// the per-seed differences are the fair sample) and a verdict. The seeds are those the runs were given before training
/// (0…N−1 in the notebooks); nothing here picks seeds.</summary>
public static class Claims
{
    /// <summary>The significance level of the verdicts unless one is given.</summary>
    public const double DefaultAlpha = 0.05;

    /// <summary>Each claim checked on <paramref name="runs"/>.</summary>
    /// <exception cref="ArgumentException">A claim names a configuration the runs do not have (all such are listed), or α is not in (0, 1).</exception>
    public static IReadOnlyList<ClaimResult> Check(SeededRuns runs, IEnumerable<PaperClaim> claims, double alpha = DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(claims);
        if (!(alpha > 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be between 0 and 1, e.g. 0.05.");
        var list = claims.ToList();
        var unknown = list.SelectMany(c => new[] { c.Arm, c.Against }).Where(n => !runs.Configurations.Contains(n)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"The claims name configurations that were not run: {string.Join(", ", unknown.Select(n => $"'{n}'"))}. " +
                                        $"The runs have {string.Join(", ", runs.Configurations.Select(n => $"'{n}'"))}.", nameof(claims));
        return [.. list.Select(c => Check(runs, c, alpha))];
    }

    /// <summary>Each claim whose two configurations <paramref name="runs"/> has, checked; the others are left out (a smoke
    /// run trains only some rows of a table).</summary>
    public static IReadOnlyList<ClaimResult> CheckThoseRun(SeededRuns runs, IEnumerable<PaperClaim> claims, double alpha = DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(claims);
        return Check(runs, claims.Where(c => runs.Configurations.Contains(c.Arm) && runs.Configurations.Contains(c.Against)), alpha);
    }

    private static ClaimResult Check(SeededRuns runs, PaperClaim claim, double alpha)
    {
        var arm = runs.DeltaMs(claim.Arm);
        var against = runs.DeltaMs(claim.Against);
        var difference = arm.Zip(against, (a, b) => a - b).Average();
        var p = PairedTTest.PValue(arm, against);
        var significant = p < alpha;
        var verdict = claim.Expected switch
        {
            _ when double.IsNaN(p) => ClaimVerdict.WithinNoise,   // one seed, or a non-finite Δm: nothing to decide
            ClaimSign.NotBelow => significant && difference < 0 ? ClaimVerdict.NotReproduced : ClaimVerdict.Reproduced,
            _ when !significant => ClaimVerdict.WithinNoise,
            ClaimSign.Above => difference > 0 ? ClaimVerdict.Reproduced : ClaimVerdict.NotReproduced,
            _ => difference < 0 ? ClaimVerdict.Reproduced : ClaimVerdict.NotReproduced,
        };
        return new ClaimResult(claim, runs.Seeds, DeltaM.MeanAndStd(arm), DeltaM.MeanAndStd(against), difference, p, alpha, verdict);
    }

    /// <summary>One row per claim: "source", "claim" (the paper's sentence), "comparison", "Δm arm (%)" and "Δm against (%)"
    /// as "mean ± std", "difference (pp)", "p", "seeds" and "verdict".</summary>
    public static DataFrame Table(IEnumerable<ClaimResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var rows = results.ToList();
        return new DataFrame(
            new StringDataFrameColumn("source", rows.Select(r => r.Claim.Source)),
            new StringDataFrameColumn("claim", rows.Select(r => r.Claim.Statement)),
            new StringDataFrameColumn("comparison", rows.Select(r => r.Claim.Comparison)),
            new StringDataFrameColumn("Δm arm (%)", rows.Select(r => MeanStd(r.ArmDeltaM))),
            new StringDataFrameColumn("Δm against (%)", rows.Select(r => MeanStd(r.AgainstDeltaM))),
            new DoubleDataFrameColumn("difference (pp)", rows.Select(r => r.MeanDifference)),
            new DoubleDataFrameColumn("p", rows.Select(r => r.PValue)),
            new StringDataFrameColumn("seeds", rows.Select(r => SeedRange(r.Seeds))),
            new StringDataFrameColumn("verdict", rows.Select(r => r.VerdictText)));
    }

    /// <summary>"2 of 3 claims reproduced at p &lt; 0.05 over seeds 0–4 (1 within noise, 0 not reproduced)".</summary>
    public static string Summary(IReadOnlyList<ClaimResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) return "no claims checked";
        int Count(ClaimVerdict v) => results.Count(r => r.Verdict == v);
        return $"{Count(ClaimVerdict.Reproduced)} of {results.Count} claims reproduced at p < {results[0].Alpha:0.###} over seeds " +
               $"{SeedRange(results[0].Seeds)} ({Count(ClaimVerdict.WithinNoise)} within noise, {Count(ClaimVerdict.NotReproduced)} not reproduced)";
    }

    private static string MeanStd((double Mean, double Std) value) =>
        double.IsNaN(value.Std) ? $"{value.Mean:+0.00;-0.00;0.00}" : $"{value.Mean:+0.00;-0.00;0.00} ± {value.Std:0.00}";

    /// <summary>"0–4" for consecutive seeds, else the list.</summary>
    private static string SeedRange(IReadOnlyList<int> seeds) =>
        seeds.Count > 2 && seeds.Zip(seeds.Skip(1)).All(p => p.Second == p.First + 1) ? $"{seeds[0]}–{seeds[^1]}" : string.Join(", ", seeds);
}
