using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>An optimiser spec: creates the TorchSharp optimiser over the given parameters.</summary>
public interface IOptimizerSpec
{
    string Name { get; }
    double LearningRate { get; }
    IEnumerable<string> Validate();
    OptimizerHelper Create(IEnumerable<Parameter> parameters);
}

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

    public OptimizerHelper Create(IEnumerable<Parameter> parameters) =>
        optim.SGD(parameters, LearningRate, momentum: Momentum, weight_decay: WeightDecay, nesterov: Nesterov);
}

/// <summary>Adam, the optimiser of MTI-Net (lr 1e-4, weight decay 1e-4) and of the survey's grid (lr in {1e-4, 5e-4}).</summary>
public sealed record Adam(double LearningRate = 1e-3, double WeightDecay = 1e-4) : IOptimizerSpec
{
    public string Name => $"Adam(lr {LearningRate:g3}, wd {WeightDecay:g3})";

    public IEnumerable<string> Validate()
    {
        if (!(LearningRate > 0)) yield return $"{Name}: learning rate must be > 0.";
        if (WeightDecay < 0) yield return $"{Name}: weight decay must be >= 0.";
    }

    public OptimizerHelper Create(IEnumerable<Parameter> parameters) =>
        optim.Adam(parameters, LearningRate, weight_decay: WeightDecay);
}

/// <summary>Optimiser factory.</summary>
public static class Optimizers
{
    public static Sgd Sgd(double learningRate = 0.01, double momentum = 0.9, double weightDecay = 1e-4, bool nesterov = false) =>
        new(learningRate, momentum, weightDecay, nesterov);

    public static Adam Adam(double learningRate = 1e-3, double weightDecay = 1e-4) => new(learningRate, weightDecay);

    /// <summary>The "poly" schedule of the ASTMT appendix and MTI-Net: lr · (1 − step / total)^power, evaluated in
    /// closed form per step so a resumed run sets exactly the rates an uninterrupted one would.</summary>
    public static double PolyLearningRate(double baseRate, long step, long totalSteps, double power = 0.9) =>
        baseRate * Math.Pow(1.0 - (double)step / Math.Max(1, totalSteps), power);
}
