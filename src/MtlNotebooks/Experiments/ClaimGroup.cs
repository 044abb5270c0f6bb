using MtlNotebooks.Analysis;

namespace MtlNotebooks.Experiments;

/// <summary>One paper table checked over seeds: the task set, the networks it compares and the claims checked on them.
/// The single-task networks are trained first in every group and named <see cref="QuickExperiment.BaselineName"/>.</summary>
/// <param name="Name">The group's folder under the run's output ("survey-nyud"): lower-case letters, digits and dashes.</param>
/// <param name="Dataset">The task set and loss weights (a synthetic preset; the scenes follow <see cref="QuickExperimentOptions.Scenes"/>).</param>
/// <param name="Arms">The multi-task networks, named as the claims name them.</param>
/// <param name="Claims">The claims, with <see cref="PaperClaim.Arm"/> and <see cref="PaperClaim.Against"/> naming arms or the baselines.</param>
/// <param name="Backbone">The shared backbone for a width (<see cref="QuickExperimentOptions.Width"/>); null keeps the quick experiment's choice.</param>
/// <param name="Head">The head of the baselines and of the headed arms; null keeps each architecture's own.</param>
public sealed record ClaimGroup(
    string Name,
    DataSetPreset Dataset,
    IReadOnlyList<ExperimentArm> Arms,
    IReadOnlyList<PaperClaim> Claims,
    Func<int, IBackbone>? Backbone = null,
    Func<int, IHead>? Head = null)
{
    /// <summary>What is wrong with the group, in words: a name unfit for a folder, no arms, a claim naming a network the
    /// group does not train.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrEmpty(Name) || !Name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            yield return $"Claim group '{Name}': a group's name is its folder, so it takes lower-case letters, digits and dashes only.";
        if (Arms.Count == 0)
            yield return $"Claim group '{Name}' trains no multi-task network: give it at least one arm.";
        var known = Arms.Select(a => a.Name).Prepend(QuickExperiment.BaselineName).ToHashSet(StringComparer.Ordinal);
        foreach (var name in Claims.SelectMany(c => new[] { c.Arm, c.Against }).Distinct().Where(n => !known.Contains(n)))
            yield return $"Claim group '{Name}': a claim compares '{name}', which the group does not train (it trains {string.Join(", ", known.Select(k => $"'{k}'"))}).";
    }
}
