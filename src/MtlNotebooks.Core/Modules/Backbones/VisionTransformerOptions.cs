namespace MtlNotebooks.Modules.Backbones;

/// <summary>Options of <see cref="VisionTransformerModule"/> (ViT, Dosovitskiy et al. 2021, as timm builds it).</summary>
/// <param name="EmbedDim">Token width C: 192 (Tiny), 384 (Small), 768 (Base), 1024 (Large).</param>
/// <param name="Depth">Transformer blocks: 12, or 24 for Large.</param>
/// <param name="Heads">Attention heads (C / 64 in the timm sizes).</param>
/// <param name="PatchSize">Pixels per patch side: the stride of every level (16 in the papers).</param>
/// <param name="ImageHeight">The height the position embedding is made for (the training size; other sizes interpolate it).</param>
/// <param name="ImageWidth">The width the position embedding is made for.</param>
/// <param name="Taps">1-based blocks whose outputs become feature levels, before the final norm; the normed last block is
/// always the last level. Null taps every quarter of the depth (3, 6, 9 for 12 blocks; 6, 12, 18 for 24), the blocks
/// InvPT and TaskPrompter read.</param>
/// <param name="ClassToken">Prepend timm's <c>cls_token</c> (it takes part in attention and is dropped from the maps).</param>
/// <param name="DropPathRate">Stochastic depth of the last block, rising linearly from 0 at the first (InvPT and TaskPrompter: 0.15).</param>
/// <param name="Pyramid">Resample the levels to strides p/4, p/2, p, 2p (bilinear up, max-pool down; no parameters), so that
/// architectures that need a multi-scale backbone (MTI-Net's scales) get one; false keeps every level at stride p, as InvPT reads them.</param>
/// <param name="MlpRatio">Hidden width of each block's MLP relative to C.</param>
public sealed record VisionTransformerOptions(
    int EmbedDim = 768, int Depth = 12, int Heads = 12, int PatchSize = 16, int ImageHeight = 384, int ImageWidth = 384,
    IReadOnlyList<int>? Taps = null, bool ClassToken = true, double DropPathRate = 0, bool Pyramid = false, double MlpRatio = 4)
{
    /// <summary>The tapped blocks, 1-based, ascending.</summary>
    public IReadOnlyList<int> TappedBlocks => Taps ?? [.. Enumerable.Range(1, 3).Select(i => i * Depth / 4).Where(b => b >= 1).Distinct()];

    /// <summary>The token grid the position embedding is made for.</summary>
    public (int Height, int Width) Grid => (ImageHeight / PatchSize, ImageWidth / PatchSize);

    /// <summary>One level per tap (named after its block, <c>blocks.5</c> for block 6) and the normed output (<c>norm</c>).</summary>
    public FeatureInfo Features
    {
        get
        {
            var names = TappedBlocks.Select(b => $"blocks.{b - 1}").Append("norm").ToList();
            var strides = Pyramid
                ? names.Select((_, i) => PatchSize * Math.Pow(2, i - (names.Count - 2))).Select(s => (int)Math.Round(s)).ToList()
                : names.Select(_ => PatchSize).ToList();
            return new FeatureInfo(names.Select((n, i) => new FeatureLevel(n, EmbedDim, strides[i])));
        }
    }

    public IEnumerable<string> Validate(string caller)
    {
        if (EmbedDim < 1) yield return $"{caller}: embedDim must be >= 1, got {EmbedDim}.";
        if (Depth < 1) yield return $"{caller}: depth must be >= 1, got {Depth}.";
        if (Heads < 1 || (EmbedDim >= 1 && EmbedDim % Heads != 0))
            yield return $"{caller}: the {Heads} attention heads must divide the token width {EmbedDim}.";
        if (PatchSize < 1) yield return $"{caller}: patchSize must be >= 1, got {PatchSize}.";
        else if (ImageHeight < PatchSize || ImageWidth < PatchSize || ImageHeight % PatchSize != 0 || ImageWidth % PatchSize != 0)
            yield return $"{caller}: the position embedding's image size {ImageHeight}×{ImageWidth} must be whole {PatchSize}-pixel patches.";
        var taps = TappedBlocks;
        if (taps.Any(t => t < 1 || t > Depth) || !taps.SequenceEqual(taps.Order().Distinct()))
            yield return $"{caller}: taps must be distinct blocks in 1…{Depth}, ascending; got [{string.Join(", ", taps)}].";
        if (Pyramid && PatchSize % 4 != 0) yield return $"{caller}: a pyramid over {PatchSize}-pixel patches needs a patch size divisible by 4 (its finest stride is p/4).";
        if (Pyramid && taps.Count != 3) yield return $"{caller}: a pyramid has four levels, so it needs three taps besides the normed output; got {taps.Count}.";
        if (DropPathRate is < 0 or >= 1 || double.IsNaN(DropPathRate)) yield return $"{caller}: dropPathRate must lie in [0, 1), got {DropPathRate}.";
        if (!(MlpRatio > 0)) yield return $"{caller}: mlpRatio must be > 0, got {MlpRatio}.";
    }
}
