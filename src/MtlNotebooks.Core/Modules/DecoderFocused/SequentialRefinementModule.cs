using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch.nn;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>JTRL-style sequential task refinement (Zhang et al., ECCV 2018; survey §2.3.3, Fig. 8): the target tasks are
/// refined one after another, each with task-attentional messages from the tasks already refined at this scale (and from
/// the raw features of the others), so later tasks build on earlier ones' new states:
/// R_k = F_k + Σ_l σ(W_{k,l}[F_k ‖ S_l]) ⊙ W'_{k,l} S_l, with S_l = R_l if l was refined before k, else F_l.
/// Carried from coarse to fine scales by the MTI-Net skeleton this gives JTRL's recursion at increasing resolution.</summary>
public sealed class SequentialRefinementModule : Module<TaskFeatures, TaskFeatures>
{
    private readonly ModuleDict<Module<Tensor, Tensor>> gate;
    private readonly ModuleDict<Module<Tensor, Tensor>> message;
    private readonly DistillationContext _context;

    public SequentialRefinementModule(DistillationContext context) : base("SequentialRefinement")
    {
        _context = context;
        gate = new ModuleDict<Module<Tensor, Tensor>>();
        message = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var (target, source) in SpatialAttentionModule.Pairs(context))
        {
            gate.Add($"{target}_from_{source}", Sequential(Ops.Conv2d(2 * context.Channels, context.Channels, 3, padding: 1, bias: false), Sigmoid()));
            message.Add($"{target}_from_{source}", Ops.Conv2d(context.Channels, context.Channels, 3, padding: 1, bias: false));
        }
        RegisterComponents();
    }

    public override TaskFeatures forward(TaskFeatures features)
    {
        var state = _context.Sources.ToDictionary(s => s, s => features[s]);
        foreach (var target in _context.Targets)
        {
            var own = features[target];
            state[target] = _context.Sources.Where(s => s != target).Aggregate(own, (sum, source) =>
                sum.add(gate[$"{target}_from_{source}"].call(cat([own, state[source]], 1)) * message[$"{target}_from_{source}"].call(state[source]), One));
        }
        return TaskFeatures.From(_context.Targets, t => state[t]);
    }
}
