using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>MTI-Net's feature propagation module (§3.3): feature harmonisation — concatenate the N task features,
/// a non-linear map to N·C task-attention logits, softmax over tasks, the attended features reduced N·C → C — then per
/// task a squeeze-and-excitation refinement of that shared map added to the task's own features as a residual.</summary>
public sealed class FpmModule : Module<TaskFeatures, TaskFeatures>
{
    private readonly Sequential harmonize;
    private readonly ResNetBasicBlock reduce;
    private readonly ModuleDict<Module<Tensor, Tensor>> refine;
    private readonly IReadOnlyList<string> _tasks;
    private readonly int _channels;
    private readonly FpmGrouping _grouping;

    public FpmModule(PropagationContext context, FpmOptions options) : base("FeaturePropagation")
    {
        _tasks = context.Tasks;
        _channels = context.Channels;
        _grouping = options.Grouping;
        int n = _tasks.Count, all = n * _channels, hidden = Math.Max(1, all / 4);
        harmonize = Sequential(
            ("block1", ResNetBasicBlock.OfConvBnUnits(all, hidden)),
            ("block2", ResNetBasicBlock.OfConvBnUnits(hidden, hidden)),
            ("logits", Ops.Conv2d(hidden, all, 1)));
        reduce = ResNetBasicBlock.OfConvBnUnits(all, _channels);
        refine = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var task in _tasks) refine.Add(task, new SqueezeExcitation(_channels, options.SeReduction));
        RegisterComponents();
    }

    public override TaskFeatures forward(TaskFeatures features)
    {
        var concatenated = cat(_tasks.Select(t => features[t]).ToArray(), 1);
        long b = concatenated.shape[0], h = concatenated.shape[2], w = concatenated.shape[3];
        int n = _tasks.Count;
        var logits = harmonize.call(concatenated);
        Tensor attended = _grouping == FpmGrouping.ReferenceCode
            ? (functional.softmax(logits.view(b, _channels, n, h, w), 2) * concatenated.view(b, _channels, n, h, w)).view(b, n * _channels, h, w)
            : (functional.softmax(logits.view(b, n, _channels, h, w), 1) * concatenated.view(b, n, _channels, h, w)).view(b, n * _channels, h, w);
        var shared = reduce.call(attended);
        return TaskFeatures.From(_tasks, t => refine[t].call(shared).add(features[t], One));
    }
}
