namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Everything TaskPrompter (Ye &amp; Xu, ICLR 2023) needs: the ViT it rebuilds with task prompts, the tasks, the
/// decoder widths. The official configurations: PASCAL-Context ViT-L E 300, F 350, 1 channel window, cross-task
/// reweighting; PASCAL-Context ViT-B E 780, F 1024, 16 windows, reweighting; NYUD ViT-L E = F = 768, 16 windows, none.</summary>
/// <param name="Tasks">The main tasks.</param>
/// <param name="OutputChannels">Output channels of every task, auxiliary ones included.</param>
/// <param name="AuxiliaryTasks">Tasks that get a prompt and a head whose prediction is supervised but not an output.</param>
/// <param name="Layout">The ViT: width, depth, heads, patches, the image size (the model runs at that size only: the
/// channel prompting has one weight per patch) and three tapped blocks.</param>
/// <param name="EmbedDim">Width E of each level's spatial and channel task features (the configs' <c>embed_dim</c>).</param>
/// <param name="FinalEmbedDim">Width F of the fused task features and the heads (<c>final_embed_dim</c>).</param>
/// <param name="ChannelHeads">Windows of the channel prompting (<c>chan_nheads</c>): a square number whose root divides both
/// sides of the patch grid.</param>
/// <param name="CrossTaskReweighting">Mix every task's features by its prompt's affinity to the other prompts (<c>use_ctr</c>).</param>
public sealed record TaskPrompterOptions(
    IReadOnlyList<string> Tasks,
    IReadOnlyDictionary<string, int> OutputChannels,
    IReadOnlyList<string> AuxiliaryTasks,
    TransformerLayout Layout,
    int EmbedDim = 300,
    int FinalEmbedDim = 350,
    int ChannelHeads = 1,
    bool CrossTaskReweighting = true)
{
    /// <summary>The prompted tasks: main then auxiliary, one prompt each.</summary>
    public IReadOnlyList<string> AllTasks => [.. Tasks, .. AuxiliaryTasks];

    public IEnumerable<string> Validate(string caller)
    {
        if (EmbedDim < 1) yield return $"{caller}: embedDim must be >= 1, got {EmbedDim}.";
        if (FinalEmbedDim < 1) yield return $"{caller}: finalEmbedDim must be >= 1, got {FinalEmbedDim}.";
        var l = Layout;
        if (l.Width < 1 || l.Heads < 1 || l.Width % l.Heads != 0)
            yield return $"{caller}: the ViT's {l.Heads} attention heads must divide its width {l.Width}; each head weights its own channels.";
        if (l.PatchSize < 1 || l.ImageHeight < l.PatchSize || l.ImageWidth < l.PatchSize || l.ImageHeight % l.PatchSize != 0 || l.ImageWidth % l.PatchSize != 0)
        {
            yield return $"{caller}: the image size {l.ImageHeight}×{l.ImageWidth} must be whole {l.PatchSize}-pixel patches.";
            yield break;
        }
        if (l.TappedBlocks.Count != 3 || l.TappedBlocks.Any(t => t < 1 || t > l.Depth) || !l.TappedBlocks.SequenceEqual(l.TappedBlocks.Order().Distinct()))
            yield return $"{caller}: reads three tapped blocks and the normed output (ViT-L: blocks 6, 12, 18); the ViT taps " +
                         $"[{string.Join(", ", l.TappedBlocks)}] of its {l.Depth} blocks. Tap three distinct blocks, ascending.";
        int root = (int)Math.Round(Math.Sqrt(Math.Max(ChannelHeads, 0)));
        var (h, w) = l.Grid;
        if (ChannelHeads < 1 || root * root != ChannelHeads)
            yield return $"{caller}: channelHeads must be a square number (1, 4, 16…): the grid is cut into √n × √n windows; got {ChannelHeads}.";
        else if (h % root != 0 || w % root != 0)
            yield return $"{caller}: {ChannelHeads} channel windows cut the {h}×{w} patch grid into {root}×{root} windows, so {root} must divide both sides.";
        if (AllTasks.Count == 0) yield return $"{caller}: needs at least one task.";
    }
}
