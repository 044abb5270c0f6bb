using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Layers;

/// <summary>ViT's patch embedding as timm names it: a convolution <c>proj</c> with kernel and stride the patch size
/// (3 → C channels), giving one token per patch. Returns the map [B, C, H/p, W/p]; the caller flattens it.</summary>
public sealed class PatchEmbedding : Module<Tensor, Tensor>
{
    private readonly Conv2d proj;

    public PatchEmbedding(int patchSize, int dim, int inputChannels = 3) : base(nameof(PatchEmbedding))
    {
        PatchSize = patchSize;
        proj = Conv2d(inputChannels, dim, patchSize, stride: patchSize);
        RegisterComponents();
    }

    public int PatchSize { get; }

    public override Tensor forward(Tensor input)
    {
        if (input.shape[2] % PatchSize != 0 || input.shape[3] % PatchSize != 0)
            throw new ArgumentException($"A vision transformer with {PatchSize}×{PatchSize} patches takes images whose height and width are " +
                                        $"multiples of {PatchSize}; got [{string.Join(", ", input.shape)}].", nameof(input));
        return proj.call(input);
    }
}
