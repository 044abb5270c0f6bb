using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Channel-attention distillation, the squeeze-and-excitation variant MTI-Net §3.2 mentions: the message from
/// source l to target k is a 3x3 conv of F_l gated per channel by an SE block computed from F_l:
/// F_k^o = F_k + Σ_{l≠k} SE_{k,l}(W_{k,l} F_l).</summary>
public sealed class ChannelAttentionModule : Module<TaskFeatures, TaskFeatures>
{
    private readonly ModuleDict<Module<Tensor, Tensor>> message;
    private readonly ModuleDict<Module<Tensor, Tensor>> excitation;
    private readonly DistillationContext _context;

    public ChannelAttentionModule(DistillationContext context, ChannelAttentionOptions options) : base("ChannelAttention")
    {
        _context = context;
        message = new ModuleDict<Module<Tensor, Tensor>>();
        excitation = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var (target, source) in SpatialAttentionModule.Pairs(context))
        {
            message.Add($"{target}_from_{source}", Ops.Conv2d(context.Channels, context.Channels, 3, padding: 1, bias: false));
            excitation.Add($"{target}_from_{source}", new SqueezeExcitation(context.Channels, options.Reduction));
        }
        RegisterComponents();
    }

    public override TaskFeatures forward(TaskFeatures features) => TaskFeatures.From(_context.Targets, target =>
        _context.Sources.Where(source => source != target).Aggregate(features[target], (sum, source) =>
            sum.add(excitation[$"{target}_from_{source}"].call(message[$"{target}_from_{source}"].call(features[source])), One)));
}
