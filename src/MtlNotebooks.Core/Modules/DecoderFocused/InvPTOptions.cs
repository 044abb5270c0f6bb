namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Everything InvPT (Ye &amp; Xu, ECCV 2022) needs besides the backbone.</summary>
/// <param name="Tasks">The main tasks: each gets a final head.</param>
/// <param name="OutputChannels">Output channels of every task, auxiliary ones included.</param>
/// <param name="AuxiliaryTasks">Tasks decoded and supervised through their preliminary predictions only.</param>
/// <param name="EmbedDim">Width E of the preliminary decoders (the official configs' <c>embed_dim</c>, 512).</param>
/// <param name="PredictionChannels">What the official code adds to E for the first decoder stage (<c>PRED_OUT_NUM_CONSTANT</c>,
/// 64): the stages are D = E + 64 wide, then D/2 and D/4.</param>
/// <param name="Heads">Attention heads of every UP-Transformer block (2).</param>
public sealed record InvPTOptions(
    IReadOnlyList<string> Tasks,
    IReadOnlyDictionary<string, int> OutputChannels,
    IReadOnlyList<string> AuxiliaryTasks,
    int EmbedDim = 512,
    int PredictionChannels = 64,
    int Heads = 2)
{
    /// <summary>The decoder's tasks: main then auxiliary.</summary>
    public IReadOnlyList<string> AllTasks => [.. Tasks, .. AuxiliaryTasks];

    /// <summary>Width of decoder stage 0, 1, 2: D, D/2, D/4 with D = E + prediction channels.</summary>
    public IReadOnlyList<int> StageDims => [EmbedDim + PredictionChannels, (EmbedDim + PredictionChannels) / 2, (EmbedDim + PredictionChannels) / 4];

    /// <summary>Kernel and stride of the key/value average pool per stage: the key grid is the same at every stage, which is
    /// what lets a stage's attention scores be passed to the next (§3.3).</summary>
    public static IReadOnlyList<int> KeyValueStrides { get; } = [2, 4, 8];

    public IEnumerable<string> Validate(string caller)
    {
        if (EmbedDim < 1) yield return $"{caller}: embedDim must be >= 1, got {EmbedDim}.";
        if (PredictionChannels < 0) yield return $"{caller}: predictionChannels must be >= 0, got {PredictionChannels}.";
        if (Heads < 1) yield return $"{caller}: heads must be >= 1, got {Heads}.";
        else if (EmbedDim >= 1 && PredictionChannels >= 0 && (EmbedDim + PredictionChannels) % (4 * Heads) != 0)
            yield return $"{caller}: the decoder stages are {string.Join(", ", StageDims)} channels wide (E + predictionChannels = " +
                         $"{EmbedDim + PredictionChannels}, halved twice); each must be a multiple of the {Heads} heads, so E + predictionChannels must be a multiple of {4 * Heads}.";
    }
}
