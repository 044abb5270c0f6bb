using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>One stage of InvPT's inverted pyramid (the official <c>InvPTStage</c>): from the second stage on, each task's
/// map is upsampled ×2 (bilinear, then two dilated 3×3 convolutions without bias, each with batch norm and ReLU: the
/// official <c>UpEmbed</c>, field <c>proj</c>) and the backbone's map of that resolution is added; then one UP-Transformer block.</summary>
internal sealed class InvPTStage : Module<Tensor, Tensor>
{
    private readonly ModuleList<Sequential>? patch_embed;
    private readonly ModuleList<UpTransformerBlock> blocks;

    public InvPTStage(int index, int tasks, int inputDim, int dim, int heads) : base(nameof(InvPTStage))
    {
        if (index > 0)
        {
            patch_embed = new ModuleList<Sequential>();
            for (int t = 0; t < tasks; t++)
                patch_embed.Add(Sequential(("proj", Sequential(
                    Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Bilinear, align_corners: false),
                    Ops.Conv2d(inputDim, dim, 3, padding: 2, dilation: 2, bias: false), Ops.BatchNorm2d(dim), ReLU(),
                    Ops.Conv2d(dim, dim, 3, padding: 2, dilation: 2, bias: false), Ops.BatchNorm2d(dim), ReLU()))));
        }
        blocks = new ModuleList<UpTransformerBlock>();
        blocks.Add(new UpTransformerBlock(tasks, dim, heads, InvPTOptions.KeyValueStrides[index]));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Call Run(maps, skip, message).");

    /// <summary>The tasks' maps after this stage; <paramref name="skip"/> is the backbone map added after the upsampling (null at stage 0).</summary>
    public IReadOnlyList<Tensor> Run(IReadOnlyList<Tensor> maps, Tensor? skip, AttentionMessage message)
    {
        using var scope = NewDisposeScope();
        var x = patch_embed is null ? maps : maps.Select((m, t) =>
        {
            var up = patch_embed[t].call(m);
            return up.add(Resize.To(skip!, up.shape[2], up.shape[3]), HeldScalars.One);   // the same size in the official configurations
        }).ToArray();
        var refined = blocks[0].Refine(x, message);
        foreach (var map in refined) map.MoveToOuterDisposeScope();
        return refined;
    }
}
