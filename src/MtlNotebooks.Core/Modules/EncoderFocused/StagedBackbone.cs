namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>What the encoder-focused architectures (survey §2.2) ask of a backbone spec before any module exists: its
/// <see cref="IStagedBackbone"/> capability, whatever its type.</summary>
internal static class StagedBackbone
{
    /// <summary>Every stage's output of <paramref name="spec"/> (also when it emits the last only), or null when it is not staged.</summary>
    public static FeatureInfo? Levels(IBackbone spec) => spec.Capability<IStagedBackbone>()?.StageLevels;

    /// <summary>Blocks per stage; empty when <paramref name="spec"/> is not staged.</summary>
    public static IReadOnlyList<int> Blocks(IBackbone spec) => spec.Capability<IStagedBackbone>()?.StageBlocks ?? [];

    private static bool StagesAgree(IStagedBackbone staged)
    {
        try
        {
            return staged.StageLevels.Count == staged.StageBlocks.Count && staged.StageBlocks.All(b => b > 0);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or StackOverflowException))
        {
            return false;   // a spec of the user's that throws is reported as not agreeing, not as an exception here
        }
    }

    /// <summary>Why <paramref name="spec"/> does not fit an architecture that works stage by stage, or null when it does.</summary>
    public static string? Unfit(IBackbone spec, string caller, string why)
    {
        if (spec.Capability<IStagedBackbone>() is { } staged)
            return StagesAgree(staged)
                ? null
                : $"{caller}: backbone {spec.Name} declares {staged.StageLevels.Count} stage levels but block counts [{string.Join(", ", staged.StageBlocks)}]; " +
                  "IStagedBackbone needs one count of at least 1 per stage.";
        return $"{caller}: {why}, so it needs a backbone made of a stem and sequential stages (the ResNet family, SE-ResNets, " +
               $"SmallResNet, MobileNet-V2, or your own that implements IStagedBackbone); backbone {spec.Name} does not: " +
               "its spec does not implement IStagedBackbone (HRNet's parallel branches and an FPN's top-down pathway are not sequential stages).";
    }
}
