using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>Spatial-attention distillation (PAD-Net; MTI-Net §3.2, eq. 1), for every target task k and source l ≠ k:
/// F_k^o = F_k + Σ_{l≠k} σ(W_{k,l} F_l) ⊙ (W'_{k,l} F_l), with W, W' 3x3 convolutions without bias (as the reference code).</summary>
public sealed class SpatialAttentionModule : Module<TaskFeatures, TaskFeatures>
{
    private readonly ModuleDict<Module<Tensor, Tensor>> gate;
    private readonly ModuleDict<Module<Tensor, Tensor>> message;
    private readonly DistillationContext _context;

    public SpatialAttentionModule(DistillationContext context, SpatialAttentionOptions options) : base("SpatialAttention")
    {
        _context = context;
        int kernel = options.Kernel;
        gate = new ModuleDict<Module<Tensor, Tensor>>();
        message = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var (target, source) in Pairs(context))
        {
            gate.Add($"{target}_from_{source}", Sequential(Ops.Conv2d(context.Channels, context.Channels, kernel, padding: kernel / 2, bias: false), Sigmoid()));
            message.Add($"{target}_from_{source}", Ops.Conv2d(context.Channels, context.Channels, kernel, padding: kernel / 2, bias: false));
        }
        RegisterComponents();
    }

    public override TaskFeatures forward(TaskFeatures features) => TaskFeatures.From(_context.Targets, target =>
        _context.Sources.Where(source => source != target).Aggregate(features[target], (sum, source) =>
            sum.add(gate[$"{target}_from_{source}"].call(features[source]) * message[$"{target}_from_{source}"].call(features[source]), One)));

    internal static IEnumerable<(string Target, string Source)> Pairs(DistillationContext context) =>
        from target in context.Targets from source in context.Sources where source != target select (target, source);
}
