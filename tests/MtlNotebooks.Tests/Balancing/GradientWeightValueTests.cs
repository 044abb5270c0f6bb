using MtlNotebooks.Balancing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Balancing;

/// <summary>The gradient strategies added after the survey, each against a closed form or a hand-computed step. As in
/// <see cref="BalancerValueTests"/>, the "network" is a shared vector W = 1 with linear losses L_t = a_t · W, so
/// ∇_W L_t = a_t and L_t = Σ a_t.</summary>
[Collection("Torch")]
public sealed class GradientWeightValueTests
{
    private static readonly BalancerContext Two = new(["t0", "t1"], CPU);

    internal static double[,] GramOf(params double[][] g)
    {
        var m = new double[g.Length, g.Length];
        for (int i = 0; i < g.Length; i++)
            for (int j = 0; j < g.Length; j++) m[i, j] = g[i].Zip(g[j], (a, b) => a * b).Sum();
        return m;
    }

    /// <summary>One Backward of <paramref name="balancer"/> at step <paramref name="step"/>: W.grad and the step.</summary>
    internal static (double[] Grad, BalancerStep Step) Run(LossBalancer balancer, long step, params double[][] a)
    {
        using var scope = NewDisposeScope();
        var w = new Parameter(ones(a[0].Length));
        var losses = TaskLosses.From(a.Select((_, t) => $"t{t}"), name => (tensor(a[int.Parse(name[1..])].Select(x => (float)x).ToArray()) * w).sum());
        var result = balancer.Backward(losses, new StepContext([w], 0, step));
        return (w.grad!.to(ScalarType.Float64).data<double>().ToArray(), result);
    }

    [Fact]
    public void GradVac_OrthogonalGradientsBelowTarget_RaisesTheirCosineExactlyToTheTarget()
    {
        // φ̂ = ½, φ = 0: w = ‖g₁‖ (½ · 1 − 0) / (‖g₂‖ √¾) = 1/√3 for each task, so the update is (1 + 1/√3)(1, 1).
        var target = new double[,] { { 0, 0.5 }, { 0.5, 0 } };
        var weights = GradVacModule.Weights(GramOf([1, 0], [0, 1]), target, 0.5, i => [1 - i]);
        Assert.All(weights, w => Assert.Equal(1 + 1 / Math.Sqrt(3), w, 7));    // the reference's 1e-8 guards
        double pair = weights[1] - 1;                 // each task's weight is its own 1 plus what the other's projection adds
        double[] modified = [1, pair];                // g₁′ = g₁ + w g₂, with the w the balancer computed
        Assert.Equal(0.5, modified[1] / Math.Sqrt(modified[0] * modified[0] + modified[1] * modified[1]), 7);   // cos(g₁′, g₂) = φ̂
        Assert.Equal(0.25, target[0, 1], 9);          // φ̂ ← ½ · ½ + ½ · 0
    }

    [Fact]
    public void GradVac_FirstStep_LeavesGradientsAndMovesTargetsTowardsTheirCosine()
    {
        var module = (GradVacModule)Balancers.GradVac().Create(Two);
        var (grad, step) = Run(module, 0, [1, 0], [1, 1]);
        Assert.Equal([2.0, 1.0], grad.Select(g => Math.Round(g, 6)));
        Assert.Equal(1.0, step.Weights["t0"], 9);
        Assert.All(module.Targets.data<double>().ToArray().Where(v => v != 0), v => Assert.Equal(0.5 / Math.Sqrt(2), v, 6));
    }

    [Fact]
    public void MoCo_FirstStep_TracksHalfTheNormalisedGradientAndTakesASoftmaxStep()
    {
        // ĝ = L g/‖g‖ = (2, 0), (0, 1); y = ½ ĝ; λ = softmax(½ − 0.1 (y yᵀ) ½) = softmax(0.45, 0.4875); update yᵀλ.
        var module = new MoCoModule(2, Balancers.MoCo());
        var (grad, step) = Run(module, 0, [2, 0], [0, 1]);
        double l0 = 1 / (1 + Math.Exp(0.0375));
        Assert.Equal(l0, step.Weights["t0"], 6);
        Assert.Equal(l0, grad[0], 5);
        Assert.Equal(0.5 * (1 - l0), grad[1], 5);
    }

    [Fact]
    public void AlignedMtl_OrthogonalGradients_EqualisesTheComponentsAtTheSmallestSingularValue()
    {
        // M = diag(9, 16): B = 3 diag(1/3, 1/4), α = (1, ¾), update (3, 3).
        var alpha = AlignedMtlModule.Weights(GramOf([3, 0], [0, 4]));
        Assert.Equal(1.0, alpha[0], 9);
        Assert.Equal(0.75, alpha[1], 9);
    }

    [Fact]
    public void AlignedMtl_SkewedGradients_MatchesTheInverseSquareRootOfTheGram()
    {
        // M = [[1, 1], [1, 2]]: M^{-1/2} = [[3, −1], [−1, 2]]/√5, λ_min = (3 − √5)/2, α = √λ_min · column sums.
        var alpha = AlignedMtlModule.Weights(GramOf([1, 0], [1, 1]));
        double sigma = Math.Sqrt((3 - Math.Sqrt(5)) / 2);
        Assert.Equal(sigma * 2 / Math.Sqrt(5), alpha[0], 9);
        Assert.Equal(sigma * 1 / Math.Sqrt(5), alpha[1], 9);
    }

    [Fact]
    public void DbMtl_FirstSteps_RescaleTheLogLossGradientAveragesToTheLargestNorm()
    {
        // ∇ log L = a/L: (1, 0) and (½, ½). First buffer (1 − β) g = 0.1 g, norms 0.1 and 0.1/√2: α = (1, √2).
        var module = (DbMtlModule)Balancers.DbMtl().Create(Two);
        var (grad, step) = Run(module, 0, [3, 0], [1, 1]);
        Assert.Equal(Math.Sqrt(2), step.Weights["t1"], 5);
        Assert.Equal(0.1 + 0.05 * Math.Sqrt(2), grad[0], 5);
        Assert.Equal(0.05 * Math.Sqrt(2), grad[1], 5);
        // Second step, same gradients: buffer g + 0.9 (0.1 g − g) = 0.19 g.
        var second = Run(module, 1, [3, 0], [1, 1]).Grad;
        Assert.Equal(0.19 + 0.095 * Math.Sqrt(2), second[0], 5);
    }

    [Fact]
    public void FairGrad_OrthogonalGradients_GiveNormToTheMinusTwoAlphaOverAlphaPlusOne()
    {
        var proportional = FairGradModule.Weights(GramOf([3, 0], [0, 4]), 1.0);
        Assert.Equal(1.0 / 3, proportional[0], 9);
        Assert.Equal(1.0 / 4, proportional[1], 9);
        var alpha2 = FairGradModule.Weights(GramOf([3, 0], [0, 4]), 2.0);
        Assert.Equal(Math.Pow(3, -4.0 / 3), alpha2[0], 9);
        Assert.Equal(Math.Pow(4, -4.0 / 3), alpha2[1], 9);
        // Conflicting: the optimality condition M w = w^{-1/α} holds.
        var gram = GramOf([1, 0], [-0.5, 1]);
        var w = FairGradModule.Weights(gram, 1.5);
        for (int t = 0; t < 2; t++) Assert.Equal(Math.Pow(w[t], -1 / 1.5), gram[t, 0] * w[0] + gram[t, 1] * w[1], 9);
    }

    [Fact]
    public void FairGrad_Backward_WeightsTheLosses()
    {
        var (grad, _) = Run(Balancers.FairGrad().Create(Two), 0, [3, 0], [0, 4]);
        Assert.Equal(1.0, grad[0], 5);
        Assert.Equal(1.0, grad[1], 5);
    }

    [Fact]
    public void MoDo_FirstStep_IsOneProjectedGradientStepOnTheSimplex()
    {
        // M = diag(1, 4): λ − 0.001 (Mλ + 0.1 λ) = (0.49945, 0.49795), projected: + 0.0013 each.
        var (grad, step) = Run(Balancers.MoDo().Create(Two), 0, [1, 0], [0, 2]);
        Assert.Equal(0.50075, step.Weights["t0"], 9);
        Assert.Equal(0.49925, step.Weights["t1"], 9);
        Assert.Equal(0.50075, grad[0], 5);
        Assert.Equal(2 * 0.49925, grad[1], 5);
    }

    [Fact]
    public void Rgw_WeightsTheGradientsWithRlwsSeededSoftmaxSample()
    {
        var expected = RlwModule.WeightsAt(2, 4, 7);
        var (grad, step) = Run(Balancers.Rgw(seed: 4).Create(Two), 7, [1, 0], [0, 1]);
        Assert.Equal(expected[0], step.Weights["t0"], 9);
        Assert.Equal(expected[0], grad[0], 5);
        Assert.Equal(expected[1], grad[1], 5);
        Assert.Equal(1.0, step.Weights.Values.Sum(), 9);
    }

    [Fact]
    public void SdmGrad_ManySmallSteps_ConvergeToTheRegularisedMinNormWeights()
    {
        // Normalised M = diag(4, 1)/1.5², Mg = (8/9, 2/9)/2·… : p = (b − λ (Mg₁ − Mg₂)) / (a + b) = 0.11 in closed form.
        var spec = new SdmGrad(0.3, Iterations: 20000, LearningRate: 0.01, Momentum: 0.5);
        var w = SdmGradModule.SolveWeights(GramOf([2, 0], [0, 1]), [0.5, 0.5], spec);
        Assert.Equal(0.11, w[0], 6);
        Assert.Equal(0.89, w[1], 6);
    }

    [Fact]
    public void SdmGrad_Backward_MixesTheWeightsWithTheMeanDirection()
    {
        // Symmetric: w stays (½, ½); the update's coefficients (w + λ/T)/(1 + λ) = ½.
        var (grad, step) = Run(Balancers.SdmGrad().Create(Two), 0, [1, 0], [0, 1]);
        Assert.Equal(0.5, step.Weights["t0"], 9);
        Assert.Equal([0.5, 0.5], grad.Select(g => Math.Round(g, 6)));
    }

    [Fact]
    public void UPGrad_ConflictingGradients_SumsTheProjectionsOntoTheDualCone()
    {
        // g₁ = (1, 0), g₂ = (−1, 1): g₁/2 projects to ½g₁ + ¼g₂, g₂/2 to ½g₁ + ½g₂; weights (1, ¾), update (¼, ¾).
        var exact = UPGradModule.Weights(GramOf([1, 0], [-1, 1]), regEpsilon: 0);
        Assert.Equal(1.0, exact[0], 9);
        Assert.Equal(0.75, exact[1], 9);
        var regularised = UPGradModule.Weights(GramOf([1, 0], [-1, 1]));
        Assert.Equal(1.0, regularised[0], 3);
        Assert.Equal(0.75, regularised[1], 3);
        // Non-conflicting (orthogonal): the plain mean.
        Assert.All(UPGradModule.Weights(GramOf([3, 0], [0, 1]), regEpsilon: 0), w => Assert.Equal(0.5, w, 9));
    }

    [Fact]
    public void ExcessMtl_SecondStep_MultipliesTheWeightsByTheExponentialOfTheRelativeExcessRisk()
    {
        // Step 1: risks (1, 2) recorded, λ = 1. Step 2 with g = (2, 0), (0, 2): Σg² = (5, 8), risks 4/√5 and 4/√8,
        // relative (4/√5, 2/√8); λ ∝ exp(0.01 · relative), summing to 2.
        var module = (ExcessMtlModule)Balancers.ExcessMtl().Create(Two);
        var first = Run(module, 0, [1, 0], [0, 2]);
        Assert.Equal([1.0, 1.0], first.Step.Weights.Values);
        Assert.Equal([1.0, 2.0], first.Grad.Select(g => Math.Round(g, 5)));
        var (grad, step) = Run(module, 1, [2, 0], [0, 2]);
        double ea = Math.Exp(0.01 * 4 / Math.Sqrt(5)), eb = Math.Exp(0.01 * 2 / Math.Sqrt(8));
        Assert.Equal(2 * ea / (ea + eb), step.Weights["t0"], 6);
        Assert.Equal(2 * eb / (ea + eb), step.Weights["t1"], 6);
        Assert.Equal(2 * 2 * ea / (ea + eb), grad[0], 4);
    }
}
