using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>Validation and tower creation shared by <see cref="CrossStitch"/> and <see cref="NddrCnn"/>.</summary>
internal static class TowerChecks
{
    public static IEnumerable<string> Validate(string caller, string why, ArchitectureContext context, IHead head, double fusionScale)
    {
        if (StagedBackbone.Unfit(context.Backbone, caller, why) is { } unfit)
        {
            yield return unfit;
            yield break;
        }
        if (context.AllTasks.Count < 2)
            yield return $"{caller}: fusing task towers needs at least two tasks, got {context.AllTasks.Count}. Use Architectures.SingleTask for one.";
        if (!(fusionScale > 0) || double.IsInfinity(fusionScale))
            yield return $"{caller}: fusionLearningRateScale must be finite and > 0, got {fusionScale}.";
        foreach (var problem in context.AllTasks.SelectMany(t => head.Validate(new HeadContext(t.Name, t.OutputChannels, context.Backbone.Features))))
            yield return problem;
    }

    /// <summary>One backbone (with its weights, if any) and one head per task.</summary>
    public static Dictionary<string, (Backbone Backbone, nn.Module<FeatureMaps, Tensor> Head)> Towers(ArchitectureContext context, IHead head) =>
        context.AllTasks.ToDictionary(t => t.Name, t =>
        {
            var backbone = context.Backbone.Create();
            return (backbone, head.Create(new HeadContext(t.Name, t.OutputChannels, backbone.Features)));
        });
}
