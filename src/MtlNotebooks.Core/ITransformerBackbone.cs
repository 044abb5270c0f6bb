namespace MtlNotebooks;

/// <summary>A backbone spec that is a plain vision transformer: what an architecture that rebuilds the transformer's
/// blocks needs of it (TaskPrompter, ICLR 2023, runs task prompts through every block beside the patch tokens, so it
/// builds the blocks itself from this layout and initialises them from <see cref="Weights"/>).</summary>
public interface ITransformerBackbone
{
    /// <summary>Width, depth, heads, patches, the image size the position embedding is made for, and the tapped blocks.</summary>
    TransformerLayout Layout { get; }

    /// <summary>A timm file (ImageNet weights) to initialise the blocks from, or null.</summary>
    string? Weights { get; }
}
