namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Chooses the layout of a branched multi-task network (Vandenhende et al., BMVC 2020, §3.3): among every tree whose
/// cost fits the budget, the one that keeps the least dissimilar tasks together. A tree's score is the paper's clustering
/// cost: the sum over branch points of the mean over that stage's groups of the largest dissimilarity (1 − RSA affinity at
/// the stage's output) between two tasks of the group (0 for a task alone). The trees are enumerated exhaustively, as in the paper.</summary>
public static class TreeSearch
{
    /// <summary>Enumeration grows with the Bell numbers of the tasks per stage; beyond this many tasks it is refused.</summary>
    public const int MaxTasks = 6;

    /// <summary>The paper's score of <paramref name="tree"/>: lower keeps more similar tasks together.</summary>
    public static double Score(TaskTree tree, BranchPointAffinity affinity)
    {
        if (tree.Stages.Count != affinity.BranchPoints.Count)
            throw new ArgumentException($"The tree has {tree.Stages.Count} stages, the affinity {affinity.BranchPoints.Count} branch points.", nameof(tree));
        double score = 0;
        for (int s = 0; s < tree.Stages.Count; s++)
            score += tree.Stages[s].Average(group =>
                group.SelectMany(a => group, (a, b) => affinity.Dissimilarity(s, a, b)).DefaultIfEmpty(0).Max());
        return score;
    }

    /// <summary>Every tree over <paramref name="tasks"/> with <paramref name="stages"/> stages (groups never merge again), the
    /// shared tree first. Groups keep the order of <paramref name="tasks"/>.</summary>
    public static IEnumerable<TaskTree> Enumerate(IReadOnlyList<string> tasks, int stages)
    {
        if (tasks.Count > MaxTasks)
            throw new ArgumentException($"Enumerating the trees of {tasks.Count} tasks is too slow (at most {MaxTasks}); group tasks first or give a tree.", nameof(tasks));
        if (stages < 1) throw new ArgumentException($"A tree needs at least one stage, got {stages}.", nameof(stages));
        return Chains([tasks.ToArray()], stages).Select(chain => new TaskTree(chain));
    }

    /// <summary>Every tree with its cost and score, cheapest first (ties: lower score).</summary>
    public static IReadOnlyList<TreeCandidate> Evaluate(BranchPointAffinity affinity, BranchCosts costs) =>
        Enumerate(affinity.Tasks, affinity.BranchPoints.Count)
            .Select(t => new TreeCandidate(t, costs.Cost(t), Score(t, affinity)))
            .OrderBy(c => c.Cost).ThenBy(c => c.Score).ToArray();

    /// <summary>The tree of lowest score whose cost is at most <paramref name="budget"/> (ties: the cheaper one).</summary>
    /// <exception cref="ArgumentException">No tree fits: the budget is below hard sharing's cost.</exception>
    public static TaskTree Choose(BranchPointAffinity affinity, BranchCosts costs, long budget)
    {
        var fitting = Evaluate(affinity, costs).Where(c => c.Cost <= budget).ToArray();
        if (fitting.Length == 0)
        {
            long least = costs.Cost(TaskTree.Shared(affinity.Tasks, affinity.BranchPoints.Count));
            throw new ArgumentException($"No tree fits a budget of {budget:N0} {costs.Unit}: sharing every stage already costs {least:N0}.", nameof(budget));
        }
        return fitting.OrderBy(c => c.Score).ThenBy(c => c.Cost).First().Tree;
    }

    /// <summary>The budget <paramref name="fraction"/> of the way from hard sharing's cost (0) to the single-task networks' (1).</summary>
    public static long Budget(BranchCosts costs, IReadOnlyList<string> tasks, double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentException($"The budget fraction must lie in [0, 1], got {fraction}.", nameof(fraction));
        long shared = costs.Cost(TaskTree.Shared(tasks, costs.Stages.Count)), separate = costs.Cost(TaskTree.Separate(tasks, costs.Stages.Count));
        return shared + (long)Math.Floor(fraction * (separate - shared));
    }

    // Chains of groupings, each refining the one before, starting below `parent`.
    private static IEnumerable<IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>>> Chains(IReadOnlyList<IReadOnlyList<string>> parent, int stages)
    {
        if (stages == 0)
        {
            yield return [];
            yield break;
        }
        foreach (var grouping in Refinements(parent))
            foreach (var rest in Chains(grouping, stages - 1))
                yield return [grouping, .. rest];
    }

    // Every grouping that splits each group of `parent` into parts (the unsplit grouping first).
    private static IEnumerable<IReadOnlyList<IReadOnlyList<string>>> Refinements(IReadOnlyList<IReadOnlyList<string>> parent)
    {
        IEnumerable<IReadOnlyList<IReadOnlyList<string>>> combined = [[]];
        foreach (var group in parent)
        {
            var parts = Partitions(group).ToArray();
            combined = combined.SelectMany(prefix => parts, (prefix, p) => (IReadOnlyList<IReadOnlyList<string>>)[.. prefix, .. p]).ToArray();
        }
        return combined;
    }

    // Set partitions of `items`, each group in the items' order, groups ordered by their first item; the whole set first.
    private static IEnumerable<IReadOnlyList<IReadOnlyList<string>>> Partitions(IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            yield return [];
            yield break;
        }
        var first = items[0];
        foreach (var partition in Partitions(items.Skip(1).ToArray()))
        {
            for (int g = 0; g < partition.Count; g++)
                yield return partition.Select((group, i) => i == g ? (IReadOnlyList<string>)[first, .. group] : group).OrderBy(gr => Order(items, gr)).ToArray();
            yield return partition.Prepend([first]).OrderBy(gr => Order(items, gr)).ToArray();
        }
    }

    private static int Order(IReadOnlyList<string> items, IReadOnlyList<string> group)
    {
        for (int i = 0; i < items.Count; i++)
            if (items[i] == group[0]) return i;
        return int.MaxValue;
    }
}
