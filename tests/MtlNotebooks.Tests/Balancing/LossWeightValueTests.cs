using MtlNotebooks.Balancing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Balancing;

/// <summary>The loss-weighting strategies added after the survey (GLS, FAMO, STCH) against closed forms.</summary>
[Collection("Torch")]
public sealed class LossWeightValueTests
{
    private static readonly BalancerContext Two = new(["a", "b"], CPU);

    /// <summary>One Backward with the losses themselves as parameters: their gradients are the effective weights.</summary>
    private static (double[] Grad, BalancerStep Step) Run(LossBalancer balancer, double a, double b, int epoch = 0)
    {
        using var scope = NewDisposeScope();
        var la = new Parameter(tensor((float)a));
        var lb = new Parameter(tensor((float)b));
        var step = balancer.Backward(TaskLosses.From(["a", "b"], t => t == "a" ? la * 1 : lb * 1), new StepContext([], epoch, 0));
        return ([la.grad!.item<float>(), lb.grad!.item<float>()], step);
    }

    [Fact]
    public void Gls_IsTheGeometricMean_WithWeightsLOverTLt()
    {
        // √(1 · 4) = 2; ∂/∂L_t = 2 / (2 L_t) = (1, ¼).
        var (grad, step) = Run(Balancers.Gls().Create(Two), 1, 4);
        Assert.Equal(2.0, step.TotalLoss, 5);
        Assert.Equal(1.0, step.Weights["a"], 5);
        Assert.Equal(0.25, step.Weights["b"], 5);
        Assert.Equal([1.0, 0.25], grad.Select(g => Math.Round(g, 5)));
    }

    [Fact]
    public void Famo_FirstStep_WeightsAreZOverCD()
    {
        // z = (½, ½), c = ½/1 + ½/4 = 0.625: z/(c D) = (0.8, 0.2).
        var (grad, step) = Run(Balancers.Famo().Create(Two), 1, 4);
        Assert.Equal(0.8, step.Weights["a"], 5);
        Assert.Equal(0.2, step.Weights["b"], 5);
        Assert.Equal([0.8, 0.2], grad.Select(g => Math.Round(g, 5)));
    }

    [Fact]
    public void Famo_LogitsMoveTowardsTheTaskWhoseLossFellLeast()
    {
        // δ = (log 2, 0): ∂z/∂ξ ᵀ δ = z ⊙ (δ − zᵀδ) = (+, −)·log 2 / 4; Adam's first step is −lr · sign.
        Assert.Equal([Math.Log(2) / 4, -Math.Log(2) / 4], FamoModule.LogitGradient([0, 0], [Math.Log(2), 0]).Select(v => Math.Round(v, 12)).ToArray(),
            new RoundedComparer());
        var module = (FamoModule)Balancers.Famo().Create(Two);
        module.Update([1, 1], [0.5, 1]);
        var xi = module.Logits.data<double>().ToArray();
        Assert.Equal(-0.025, xi[0], 6);
        Assert.Equal(0.025, xi[1], 6);
    }

    [Fact]
    public void Famo_SecondBackward_UpdatesTheLogitsFromTheLossChange()
    {
        var module = (FamoModule)Balancers.Famo().Create(Two);
        Run(module, 1, 1);
        var step = Run(module, 0.5, 1).Step;
        Assert.True(step.Weights["b"] / 1 > step.Weights["a"] * 0.5, "task b, whose loss did not fall, gains weight");
        Assert.Equal(0.025, module.Logits.data<double>()[1], 6);
    }

    [Fact]
    public void Stch_AfterWarmup_IsTheSmoothMaxOfTheNadirNormalisedLogLosses()
    {
        var module = (StchModule)new Stch(Mu: 1, WarmupEpochs: 0).Create(Two);
        // Epoch 0 measures the nadir (2, 4) with Σ log L; weights 1/L.
        var warm = Run(module, 2, 4, epoch: 0).Step;
        Assert.Equal(0.5, warm.Weights["a"], 6);
        Assert.Equal(Math.Log(8), warm.TotalLoss, 5);
        var (grad, step) = Run(module, 2, 8, epoch: 1);
        // log(L/n) = (0, log 2): 2 · log(1 + 2) = 2 log 3 (minus the shift 2 · log 2 that the reference subtracts too);
        // weights 2 softmax / L = 2·(⅓)/2, 2·(⅔)/8.
        Assert.Equal([2.0, 4.0], module.Nadir.data<double>().ToArray());
        Assert.Equal(2 * Math.Log(3) - 2 * Math.Log(2), step.TotalLoss, 5);
        Assert.Equal(1.0 / 3, step.Weights["a"], 6);
        Assert.Equal(1.0 / 6, step.Weights["b"], 6);
        Assert.Equal([1.0 / 3, 1.0 / 6], grad.Select(g => Math.Round(g, 6)), new RoundedComparer());
    }

    private sealed class RoundedComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-6;
        public int GetHashCode(double obj) => 0;
    }
}
