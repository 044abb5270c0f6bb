namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spec of <see cref="TaskPrompterModule"/> (TaskPrompter, ICLR 2023). It rebuilds the backbone's transformer
/// blocks with one prompt per task, so the backbone must be a plain ViT (<see cref="ITransformerBackbone"/>, e.g.
/// <see cref="MtlNotebooks.Backbones.VitLarge"/>) with three tapped blocks; the model runs at the ViT's image size. Defaults
/// are the official PASCAL-Context ViT-L configuration (E 300, F 350, one channel window, cross-task reweighting).</summary>
public sealed record TaskPrompter(int EmbedDim = 300, int FinalEmbedDim = 350, int ChannelHeads = 1, bool CrossTaskReweighting = true)
    : IArchitecture, IPreferredBackbone
{
    private const string Caller = "UseArchitecture(TaskPrompter)";

    public string Name => $"{nameof(TaskPrompter)}(E {EmbedDim}, F {FinalEmbedDim}, {ChannelHeads} channel window{(ChannelHeads == 1 ? "" : "s")}" +
                          $"{(CrossTaskReweighting ? ", cross-task reweighting" : "")})";

    /// <summary>ViT-Tiny at <paramref name="width"/>/32 of its width with 8-pixel patches, for 64×64 images (an 8×8 grid).</summary>
    public IBackbone DefaultBackbone(int width) => MtlNotebooks.Backbones.SmallPlainVit(width);

    /// <summary>The same ViT-Tiny built for <paramref name="imageHeight"/> × <paramref name="imageWidth"/> images, the only size the model then takes.</summary>
    public IBackbone DefaultBackbone(int width, int imageHeight, int imageWidth) => MtlNotebooks.Backbones.SmallPlainVit(width, imageHeight, imageWidth);

    public IEnumerable<string> Validate(ArchitectureContext context)
    {
        if (context.Backbone.Capability<ITransformerBackbone>() is not { } vit)
        {
            yield return $"{Caller}: runs its task prompts through the blocks of a plain vision transformer, but '{context.Backbone.Name}' is not one (it does not implement ITransformerBackbone). " +
                         "Use Backbones.VitLarge(imageHeight, imageWidth) or another ViT.";
            yield break;
        }
        foreach (var problem in Options(context, vit.Layout).Validate(Caller)) yield return problem;
    }

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var vit = context.Backbone.Capability<ITransformerBackbone>()
                  ?? throw new InvalidOperationException($"{Caller}: '{context.Backbone.Name}' is not a plain vision transformer.");
        return new TaskPrompterModule(Options(context, vit.Layout), vit.Weights);
    }

    private TaskPrompterOptions Options(ArchitectureContext context, TransformerLayout layout) => new(
        context.Tasks.Select(t => t.Name).ToArray(),
        context.AllTasks.ToDictionary(t => t.Name, t => t.OutputChannels),
        context.AuxiliaryTasks.Select(t => t.Name).ToArray(),
        layout, EmbedDim, FinalEmbedDim, ChannelHeads, CrossTaskReweighting);
}
