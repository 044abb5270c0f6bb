using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>timm's <c>resize_pos_embed</c>: a ViT's position embedding made for one token grid, brought to another (bicubic,
/// align_corners false, a class token's entry kept as is). ViT and TaskPrompter use it at load, ViT also at run time.</summary>
public static class PositionEmbeddings
{
    /// <summary>An embedding [1, (cls) + h·w, C] made for a <paramref name="gridHeight"/> × <paramref name="gridWidth"/> grid,
    /// resized to <paramref name="height"/> × <paramref name="width"/>.</summary>
    public static Tensor Resize(Tensor embedding, long gridHeight, long gridWidth, long height, long width, bool classToken)
    {
        using var scope = NewDisposeScope();
        int first = classToken ? 1 : 0;
        if (embedding.shape[1] != first + gridHeight * gridWidth)
            throw new ArgumentException($"A position embedding of {embedding.shape[1]} tokens does not cover a {gridHeight}×{gridWidth} grid" +
                                        (classToken ? " plus a class token." : "."), nameof(embedding));
        var channels = embedding.shape[2];
        var gridPart = embedding[.., first.., ..].reshape(1, gridHeight, gridWidth, channels).permute(0, 3, 1, 2);
        var resized = functional.interpolate(gridPart, [height, width], mode: InterpolationMode.Bicubic, align_corners: false)
            .permute(0, 2, 3, 1).reshape(1, height * width, channels);
        var result = classToken ? cat([embedding[.., ..1, ..], resized], 1) : resized;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>A stored embedding for a square grid (timm's files: 14×14 at 224, 24×24 at 384) resized to
    /// <paramref name="height"/> × <paramref name="width"/>; a count that is no square grid is returned as a copy, for the
    /// load check to name.</summary>
    public static Tensor ResizeSquare(Tensor stored, long height, long width, bool classToken)
    {
        long tokens = stored.shape[1] - (classToken ? 1 : 0);
        long side = (long)Math.Round(Math.Sqrt(Math.Max(tokens, 0)));
        if (side * side != tokens) return stored.clone();
        return Resize(stored, side, side, height, width, classToken);
    }
}
