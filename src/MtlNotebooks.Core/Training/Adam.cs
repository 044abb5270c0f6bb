using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>Adam, the optimiser of MTI-Net (lr 1e-4, weight decay 1e-4) and of the survey's grid (lr in {1e-4, 5e-4}).</summary>
public sealed record Adam(double LearningRate = 1e-3, double WeightDecay = 1e-4) : IOptimizerSpec
{
    public string Name => $"Adam(lr {LearningRate:g3}, wd {WeightDecay:g3})";

    public IEnumerable<string> Validate()
    {
        if (!(LearningRate > 0)) yield return $"{Name}: learning rate must be > 0.";
        if (WeightDecay < 0) yield return $"{Name}: weight decay must be >= 0.";
    }

    public OptimizerHelper Create(IReadOnlyList<ParameterGroup> groups) =>
        new ScalarSafeAdam(groups.Select(g => new TorchSharp.Modules.Adam.ParamGroup(g.Parameters, new TorchSharp.Modules.Adam.Options
        {
            LearningRate = LearningRate * g.LearningRateScale, weight_decay = WeightDecay,
        })), LearningRate, WeightDecay);
}
