namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>The layout of a branched multi-task network (survey §2.2.4; Vandenhende et al., BMVC 2020): for every stage of a
/// staged backbone, the groups of tasks that share that stage's layers (stage 0 includes the stem). Each stage's grouping
/// refines the one before (a group never merges again), so the groups form a tree whose root is the input and whose leaves are
/// the tasks' heads. One group at every stage is hard sharing; one group per task from stage 0 on is the single-task networks.</summary>
/// <param name="Stages">Per stage, its groups of task names; every stage lists every task exactly once.</param>
public sealed record TaskTree(IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> Stages)
{
    /// <summary>Every task shares every stage: hard parameter sharing.</summary>
    public static TaskTree Shared(IReadOnlyList<string> tasks, int stages) =>
        new(Enumerable.Range(0, stages).Select(_ => (IReadOnlyList<IReadOnlyList<string>>)[tasks.ToArray()]).ToArray());

    /// <summary>Every task on its own from the input on: the single-task networks.</summary>
    public static TaskTree Separate(IReadOnlyList<string> tasks, int stages) => SplitAt(tasks, stages, 0);

    /// <summary>Every task shares the stages before <paramref name="stage"/>, then each branches out on its own.</summary>
    public static TaskTree SplitAt(IReadOnlyList<string> tasks, int stages, int stage) =>
        new(Enumerable.Range(0, stages).Select(s => s < stage
            ? (IReadOnlyList<IReadOnlyList<string>>)[tasks.ToArray()]
            : tasks.Select(t => (IReadOnlyList<string>)[t]).ToArray()).ToArray());

    /// <summary>The tasks, in the order of the first stage's groups.</summary>
    public IReadOnlyList<string> Tasks => Stages.Count == 0 ? [] : Stages[0].SelectMany(g => g).ToArray();

    /// <summary>Groups per stage: how many copies of each stage the network holds.</summary>
    public IReadOnlyList<int> Branches => Stages.Select(s => s.Count).ToArray();

    /// <summary>The group of stage <paramref name="stage"/> that holds <paramref name="task"/>.</summary>
    public IReadOnlyList<string> GroupOf(int stage, string task) => Stages[stage].First(g => g.Contains(task));

    /// <summary>Every problem of this tree for <paramref name="tasks"/> on a backbone of <paramref name="stageCount"/> stages, in words.</summary>
    public IEnumerable<string> Validate(IReadOnlyList<string> tasks, int stageCount, string caller)
    {
        if (Stages.Count != stageCount)
        {
            yield return $"{caller}: the tree has {Stages.Count} stages, the backbone {stageCount}; give one grouping per stage.";
            yield break;
        }
        for (int s = 0; s < Stages.Count; s++)
        {
            var listed = Stages[s].SelectMany(g => g).ToArray();
            if (Stages[s].Any(g => g.Count == 0)) yield return $"{caller}: stage {s + 1} has an empty group.";
            var twice = listed.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
            if (twice.Length > 0) yield return $"{caller}: stage {s + 1} lists {string.Join(", ", twice)} more than once.";
            var missing = tasks.Except(listed).ToArray();
            var unknown = listed.Except(tasks).ToArray();
            if (missing.Length > 0) yield return $"{caller}: stage {s + 1} lacks the tasks {string.Join(", ", missing)}.";
            if (unknown.Length > 0) yield return $"{caller}: stage {s + 1} names tasks the network does not have: {string.Join(", ", unknown)} (tasks: {string.Join(", ", tasks)}).";
            if (s == 0 || twice.Length > 0 || missing.Length > 0 || unknown.Length > 0) continue;
            foreach (var group in Stages[s].Where(g => g.Count > 0))
                if (!Stages[s - 1].Any(parent => group.All(parent.Contains)))
                    yield return $"{caller}: stage {s + 1} groups {{{string.Join(", ", group)}}}, which were apart at stage {s}: branches never merge again.";
        }
    }

    /// <summary>The tree as text, stages of the same grouping together: <c>1-2: {semseg, depth, normals}; 3-4: {semseg, depth} {normals}</c>.</summary>
    public override string ToString()
    {
        var text = Stages.Select(s => string.Join(" ", s.Select(g => $"{{{string.Join(", ", g)}}}"))).ToArray();
        var parts = new List<string>();
        for (int start = 0; start < text.Length;)
        {
            int end = start;
            while (end + 1 < text.Length && text[end + 1] == text[start]) end++;
            parts.Add($"{(start == end ? $"{start + 1}" : $"{start + 1}-{end + 1}")}: {text[start]}");
            start = end + 1;
        }
        return string.Join("; ", parts);
    }

    public bool Equals(TaskTree? other) =>
        other is not null && other.Stages.Count == Stages.Count &&
        Stages.Zip(other.Stages).All(p => p.First.Count == p.Second.Count && p.First.Zip(p.Second).All(g => g.First.SequenceEqual(g.Second)));

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
