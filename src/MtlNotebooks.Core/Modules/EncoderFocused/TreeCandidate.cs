namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>One candidate of <see cref="TreeSearch.Evaluate"/>: a tree, its cost and its task-dissimilarity score.</summary>
public sealed record TreeCandidate(TaskTree Tree, long Cost, double Score);
