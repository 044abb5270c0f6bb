using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>SGD with momentum, the optimiser of ASTMT (momentum 0.9, weight decay 1e-4) and of the survey's grid
/// (Table IV: lr in {1e-3, 5e-3, 1e-2, 5e-2}).</summary>
public sealed record Sgd(double LearningRate = 0.01, double Momentum = 0.9, double WeightDecay = 1e-4, bool Nesterov = false) : IOptimizerSpec
{
    public string Name => $"SGD(lr {LearningRate:g3}, momentum {Momentum:g3}, wd {WeightDecay:g3}{(Nesterov ? ", nesterov" : "")})";

    public IEnumerable<string> Validate()
    {
        if (!(LearningRate > 0)) yield return $"{Name}: learning rate must be > 0.";
        if (Momentum < 0 || Momentum >= 1) yield return $"{Name}: momentum must be in [0, 1).";
        if (WeightDecay < 0) yield return $"{Name}: weight decay must be >= 0.";
    }

    public OptimizerHelper Create(IReadOnlyList<ParameterGroup> groups) =>
        new ScalarSafeSgd(groups.Select(g => new SGD.ParamGroup(g.Parameters, new SGD.Options
        {
            LearningRate = LearningRate * g.LearningRateScale, momentum = Momentum, weight_decay = WeightDecay, nesterov = Nesterov,
        })), LearningRate, Momentum, WeightDecay, Nesterov);
}
