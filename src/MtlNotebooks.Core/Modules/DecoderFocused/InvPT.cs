namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="InvPTModule"/> (InvPT, ECCV 2022): the official code's decoder for any task set, on any
/// backbone with four or more levels; on a plain ViT (<see cref="MtlNotebooks.Backbones.VitLarge"/>) it is the official model, whose
/// configurations use E = 512 and 64 prediction channels.</summary>
public sealed record InvPT(int EmbedDim = 512, int PredictionChannels = 64, int Heads = 2) : IArchitecture, IPreferredBackbone
{
    public string Name => $"{nameof(InvPT)}(E {EmbedDim}, +{PredictionChannels}, {Heads} heads)";

    /// <summary>ViT-Tiny at <paramref name="width"/>/32 of its width (three heads of <paramref name="width"/>·2 channels) with
    /// 8-pixel patches, so a 64×64 image gives the 8×8 grid the decoder halves twice.</summary>
    public IBackbone DefaultBackbone(int width) => MtlNotebooks.Backbones.SmallPlainVit(width);

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        const string caller = "UseArchitecture(InvPT)";
        foreach (var problem in Options(context).Validate(caller)) yield return problem;
        foreach (var problem in BackboneProblems(context.Backbone.Features, caller, context.Backbone.Name)) yield return problem;
    }

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var backbone = context.Backbone.Create();
        try
        {
            return new InvPTModule(backbone, Options(context));
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <summary>What InvPT needs of a backbone: four levels (it reads the last four).</summary>
    internal static IEnumerable<string> BackboneProblems(FeatureInfo features, string caller, string? name = null)
    {
        if (features.Count < 4)
            yield return $"{caller}: reads a backbone's last four levels (a ViT's blocks 6, 12, 18 and its normed output), but " +
                         $"'{name ?? "the backbone"}' exposes {features.Count} ({features}). Use Backbones.VitLarge() or another backbone with four levels.";
    }

    private InvPTOptions Options(ArchitectureContext context) => new(
        context.Tasks.Select(t => t.Name).ToArray(),
        context.AllTasks.ToDictionary(t => t.Name, t => t.OutputChannels),
        context.AuxiliaryTasks.Select(t => t.Name).ToArray(),
        EmbedDim, PredictionChannels, Heads);
}
