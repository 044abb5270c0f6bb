namespace MtlNotebooks;

/// <summary>An architecture built for a particular backbone, which experiments that leave the backbone open use (MTAN needs
/// two blocks per stage; ASTMT is defined on an SE-ResNet). Optional: an architecture without it takes any backbone.</summary>
public interface IPreferredBackbone
{
    /// <summary>The backbone, about <paramref name="width"/> channels wide at its first stage.</summary>
    IBackbone DefaultBackbone(int width);

    /// <summary>The backbone for images of <paramref name="imageHeight"/> × <paramref name="imageWidth"/>: the one of
    /// <see cref="DefaultBackbone(int)"/> unless the architecture runs at one image size only (TaskPrompter builds its ViT for it).</summary>
    IBackbone DefaultBackbone(int width, int imageHeight, int imageWidth) => DefaultBackbone(width);
}
