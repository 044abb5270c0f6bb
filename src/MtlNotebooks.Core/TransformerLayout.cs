namespace MtlNotebooks;

/// <summary>The shape of a plain vision transformer (ViT, as timm builds it), published by an <see cref="ITransformerBackbone"/>.</summary>
/// <param name="Width">Token width C.</param>
/// <param name="Depth">Transformer blocks.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="PatchSize">Pixels per patch side.</param>
/// <param name="ImageHeight">The image height the position embedding is made for.</param>
/// <param name="ImageWidth">The image width the position embedding is made for.</param>
/// <param name="TappedBlocks">1-based blocks whose outputs are read, ascending.</param>
/// <param name="MlpRatio">Hidden width of each block's MLP relative to C.</param>
/// <param name="DropPathRate">Stochastic depth of the last block, rising linearly from 0 at the first.</param>
public sealed record TransformerLayout(int Width, int Depth, int Heads, int PatchSize, int ImageHeight, int ImageWidth,
    IReadOnlyList<int> TappedBlocks, double MlpRatio = 4, double DropPathRate = 0)
{
    /// <summary>The token grid: image size over patch size.</summary>
    public (int Height, int Width) Grid => (ImageHeight / PatchSize, ImageWidth / PatchSize);
}
