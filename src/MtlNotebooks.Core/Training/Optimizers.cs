using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

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
