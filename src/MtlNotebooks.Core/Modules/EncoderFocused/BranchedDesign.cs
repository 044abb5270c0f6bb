namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>What <see cref="BranchedSearch.Design"/> measured and chose.</summary>
public sealed record BranchedDesign(BranchPointAffinity Affinity, BranchCosts Costs, long Budget, TaskTree Tree);
