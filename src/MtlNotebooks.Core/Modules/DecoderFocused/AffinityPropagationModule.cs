using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>PAP-Net's pattern-affinitive propagation (Zhang et al., CVPR 2019; survey §2.3.2, Fig. 7): per source task a
/// pixel affinity matrix A_l = softmax_j(θ(F_l)_i · θ(F_l)_j / √C) over the whole image; per target task k the affinities
/// are combined with learned weights (softmax over sources) and diffused into k's features for a few steps,
/// G ← A_k G, starting from G = φ(F_k); the result is mixed back: F_k^o = F_k + γ_k G (γ_k learned, starting at 0.1: small,
/// so training starts close to PAD-Net, but not 0, which would leave every other parameter of the unit without gradient). Affinities are computed on at most <c>maxPixels</c> positions
/// (average-pooled, diffused, upsampled): they cost O((HW)²), the reason for PAP-Net's FLOPs in survey Table V(a).</summary>
public sealed class AffinityPropagationModule : Module<TaskFeatures, TaskFeatures>
{
    private readonly ModuleDict<Module<Tensor, Tensor>> embed;
    private readonly ModuleDict<Module<Tensor, Tensor>> value;
    private readonly Parameter mixing;
    private readonly Parameter strength;
    private readonly DistillationContext _context;
    private readonly int _steps;
    private readonly int _maxPixels;

    public AffinityPropagationModule(DistillationContext context, AffinityPropagationOptions options) : base("AffinityPropagation")
    {
        _context = context;
        _steps = options.Steps;
        _maxPixels = options.MaxPixels;
        int embedding = Math.Max(1, context.Channels / 2);
        embed = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var source in context.Sources) embed.Add(source, Ops.Conv2d(context.Channels, embedding, 1));
        value = new ModuleDict<Module<Tensor, Tensor>>();
        foreach (var target in context.Targets) value.Add(target, Ops.Conv2d(context.Channels, context.Channels, 1));
        mixing = Parameter(zeros(context.Targets.Count, context.Sources.Count));
        using Scalar initial = 0.1f;
        strength = Parameter(full(context.Targets.Count, initial));
        RegisterComponents();
    }

    public override TaskFeatures forward(TaskFeatures features)
    {
        var first = features[_context.Sources[0]];
        long height = first.shape[2], width = first.shape[3];
        int factor = 1;
        while (height / factor * (width / factor) > _maxPixels && height / factor > 1 && width / factor > 1) factor *= 2;
        Tensor Pool(Tensor x) => factor == 1 ? x : functional.avg_pool2d(x, factor, ceil_mode: true);

        // [S, B, P, P]: one row-stochastic affinity matrix per source task.
        var affinities = stack(_context.Sources.Select(source =>
        {
            var e = Pool(embed[source].call(features[source])).flatten(2);      // [B, E, P]
            using Scalar root = Math.Sqrt(e.shape[1]);
            return functional.softmax(e.transpose(1, 2).matmul(e).div(root), -1);
        }).ToArray());

        return TaskFeatures.From(_context.Targets, target =>
        {
            int k = _context.Targets.ToList().IndexOf(target);
            var weights = functional.softmax(mixing.select(0, k), 0).view(-1, 1, 1, 1);
            var combined = (weights * affinities).sum(dim: 0);                      // [B, P, P]
            var start = Pool(value[target].call(features[target]));
            var g = start.flatten(2);                                           // [B, C, P]
            for (int step = 0; step < _steps; step++) g = g.matmul(combined.transpose(1, 2));
            var diffused = g.view(start.shape);
            if (factor > 1) diffused = Modules.Layers.Resize.To(diffused, height, width);
            return features[target].add(strength.select(0, k) * diffused, One);
        });
    }
}
