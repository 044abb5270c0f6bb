using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>ASTMT's ASPP (the official <c>AtrousSpatialPyramidPoolingModule</c> / <c>ASPPMnet</c>): 1x1, three dilated 3x3
/// and an image-pooling branch (<c>conv2d_list</c>), concatenated and reduced by a 1x1 unit (<c>conv2d_final</c>); no
/// dropout; no adapter on the image-pooling branch. The MobileNet variant groups all but the 1x1 branch by the width and has no SE on the image-pooling branch.</summary>
public sealed class AstmtAspp : Module<Tensor, Tensor>
{
    private readonly ModuleList<TaskConv> conv2d_list;
    private readonly TaskConv conv2d_final;

    public AstmtAspp(int inChannels, int width, IReadOnlyList<int> rates, TaskConvStyle style) : base(nameof(AstmtAspp))
    {
        int groups = style.MobileNet ? width : 1;
        conv2d_list = new ModuleList<TaskConv>();
        conv2d_list.Add(new TaskConv([Ops.Conv2d(inChannels, width, 1, bias: false)], style));
        foreach (int rate in rates)
            conv2d_list.Add(new TaskConv([Ops.Conv2d(inChannels, width, 3, padding: rate, dilation: rate, groups: groups, bias: false)], style));
        // The image-pooling branch has no adapter; in the MobileNet variant no SE either (the code passes no squeeze there).
        var pooling = style.MobileNet ? style with { TaskSqueeze = false } : style;
        conv2d_list.Add(new TaskConv([AdaptiveAvgPool2d(1), Ops.Conv2d(inChannels, width, 1, groups: groups, bias: false)], pooling, adapters: false));
        conv2d_final = new TaskConv([Ops.Conv2d((rates.Count + 2) * width, width, 1, groups: groups, bias: false)], style);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var branches = conv2d_list.Select(b => b.call(input)).ToArray();
        branches[^1] = Resize.To(branches[^1], input.shape[2], input.shape[3]);
        return conv2d_final.call(cat(branches, 1));
    }
}
