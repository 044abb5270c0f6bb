using MtlNotebooks.Balancing;
using MtlNotebooks.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Balancing;

/// <summary>Each strategy against hand-computed values and closed forms on tiny problems. The "network" is a shared
/// vector W with linear task losses L_t = a_t · W (so ∇_W L_t = a_t) and, where needed, a task-specific scalar.</summary>
[Collection("Torch")]
public sealed class BalancerValueTests
{
    private const double Tolerance = 1e-6;

    private static double[,] GramOf(params double[][] g)
    {
        var m = new double[g.Length, g.Length];
        for (int i = 0; i < g.Length; i++)
            for (int j = 0; j < g.Length; j++) m[i, j] = g[i].Zip(g[j], (a, b) => a * b).Sum();
        return m;
    }

    private static double[] Combine(double[] w, params double[][] g) =>
        Enumerable.Range(0, g[0].Length).Select(k => g.Select((v, t) => w[t] * v[k]).Sum()).ToArray();

    /// <summary>Runs one Backward of <paramref name="balancer"/> on L_t = a_t·W (W = ones) and returns W.grad and the step.</summary>
    private static (double[] Grad, BalancerStep Step) Run(LossBalancer balancer, params double[][] a)
    {
        using var scope = NewDisposeScope();
        var w = new Parameter(ones(a[0].Length));
        var losses = TaskLosses.From(a.Select((_, t) => $"t{t}"), name =>
            (tensor(a[int.Parse(name[1..])].Select(x => (float)x).ToArray()) * w).sum());
        var step = balancer.Backward(losses, new StepContext([w], 0, 0));
        return (w.grad!.to(ScalarType.Float64).data<double>().ToArray(), step);
    }

    [Fact]
    public void MinNorm_TwoGradients_MatchesAlgorithm1ClosedForm()
    {
        // g1 = (2, 0), g2 = (0, 1): γ = (g2·g2 − g1·g2) / ‖g1 − g2‖² = 1 / 5.
        var alpha = MinNormSolver.Solve(GramOf([2, 0], [0, 1]));
        Assert.Equal(0.2, alpha[0], Tolerance);
        Assert.Equal(0.8, alpha[1], Tolerance);
    }

    [Fact]
    public void MinNorm_ThreeOrthogonalUnitVectors_GivesEqualWeights()
    {
        var alpha = MinNormSolver.Solve(GramOf([1, 0, 0], [0, 1, 0], [0, 0, 1]));
        Assert.All(alpha, a => Assert.Equal(1.0 / 3, a, Tolerance));
    }

    [Fact]
    public void MinNorm_ThirdGradientOutsideTheMinimum_GetsZeroWeight()
    {
        // The hull of (1,0), (0,1), (1,1) is closest to the origin at (½, ½), on the first edge.
        var alpha = MinNormSolver.Solve(GramOf([1, 0], [0, 1], [1, 1]));
        Assert.Equal(0.5, alpha[0], Tolerance);
        Assert.Equal(0.5, alpha[1], Tolerance);
        Assert.Equal(0.0, alpha[2], Tolerance);
    }

    [Fact]
    public void Mgda_Backward_WritesMinNormCombinationIntoSharedGradient()
    {
        var (grad, step) = Run(Balancers.Mgda().Create(new BalancerContext(["t0", "t1"], CPU)), [2, 0], [0, 1]);
        Assert.Equal([0.4, 0.8], grad.Select(g => Math.Round(g, 6)));
        Assert.Equal(0.2, step.Weights["t0"], Tolerance);
        Assert.Equal(2.0, step.GradientNorms!["t0"], Tolerance);
        Assert.Equal(1.0, step.GradientNorms["t1"], Tolerance);
    }

    [Fact]
    public void GradientBalancer_TaskSpecificParameters_GetThePlainSumGradient()
    {
        using var scope = NewDisposeScope();
        var w = new Parameter(tensor(new float[] { 1, 1 }));
        var h0 = new Parameter(tensor(3f));
        var h1 = new Parameter(tensor(5f));
        // L0 = h0 · (2 w₀), L1 = h1 · (w₁): the heads h_t belong to one task each.
        var losses = TaskLosses.From(["a", "b"], t => t == "a" ? h0 * 2 * w[0] : h1 * w[1]);
        Balancers.PCGrad().Create(new BalancerContext(["a", "b"], CPU)).Backward(losses, new StepContext([w], 0, 0));
        Assert.Equal(2.0, h0.grad!.item<float>(), 5);
        Assert.Equal(1.0, h1.grad!.item<float>(), 5);
        Assert.Equal([6f, 5f], w.grad!.data<float>().ToArray());   // orthogonal: PCGrad leaves the sum unchanged
    }

    [Fact]
    public void PCGrad_ConflictingGradients_ProjectsEachOntoTheOthersNormalPlane()
    {
        // g1 = (1, 0), g2 = (−1, 1), g1·g2 = −1: g1' = g1 + ½ g2 = (½, ½), g2' = g2 + g1 = (0, 1); sum (½, 3/2).
        var (grad, step) = Run(Balancers.PCGrad().Create(new BalancerContext(["t0", "t1"], CPU)), [1, 0], [-1, 1]);
        Assert.Equal(0.5, grad[0], 5);
        Assert.Equal(1.5, grad[1], 5);
        Assert.Equal(2.0, step.Weights["t0"], Tolerance);
        Assert.Equal(1.5, step.Weights["t1"], Tolerance);
    }

    [Fact]
    public void PCGrad_ThreeTasks_OrderChangesTheResultAndTheSeedFixesIt()
    {
        var gram = GramOf([1, 0], [-1, 1], [-1, -0.2]);
        var forward = PCGradModule.Weights(gram, i => Enumerable.Range(0, 3).Where(j => j != i).ToArray());
        var backward = PCGradModule.Weights(gram, i => Enumerable.Range(0, 3).Where(j => j != i).Reverse().ToArray());
        Assert.NotEqual(forward, backward);
        var a = Run(Balancers.PCGrad(seed: 3).Create(new BalancerContext(["t0", "t1", "t2"], CPU)), [1, 0], [-1, 1], [-1, -0.2]).Grad;
        var b = Run(Balancers.PCGrad(seed: 3).Create(new BalancerContext(["t0", "t1", "t2"], CPU)), [1, 0], [-1, 1], [-1, -0.2]).Grad;
        Assert.Equal(a, b);
    }

    [Fact]
    public void GradNorm_Targets_FollowEquation2()
    {
        // G = (1, 3): Ḡ = 2; L̃ = (0.5, 1): r = (2/3, 4/3); target Ḡ r^1.5.
        var targets = GradNormModule.Targets([1, 3], [0.5, 1.0], 1.5);
        Assert.Equal(2 * Math.Pow(2.0 / 3, 1.5), targets[0], 9);
        Assert.Equal(2 * Math.Pow(4.0 / 3, 1.5), targets[1], 9);
    }

    [Fact]
    public void GradNorm_FirstStep_WeightGradientIsSignTimesNorm_AndNetworkGetsWeightedSum()
    {
        // ∇_W L = a_t: norms (1, 3); at step 0 every L̃ = 1, so the targets are Ḡ = 2 and
        // ∂L_grad/∂w_t = sign(w_t n_t − 2) n_t = (−1, +3).
        using var scope = NewDisposeScope();
        var module = (GradNormModule)Balancers.GradNorm().Create(new BalancerContext(["t0", "t1"], CPU));
        var (grad, step) = Run(module, [1, 0], [0, 3]);
        Assert.Equal([-1f, 3f], module.Weights.grad!.data<float>().ToArray());
        Assert.Equal([1.0, 3.0], grad.Select(g => Math.Round(g, 6)));
        Assert.Equal(3.0, step.GradientNorms!["t1"], 5);
    }

    [Fact]
    public void GradNorm_WeightsAreRenormalisedToSumToTheTaskCount()
    {
        using var scope = NewDisposeScope();
        var module = (GradNormModule)Balancers.GradNorm().Create(new BalancerContext(["t0", "t1"], CPU));
        using (no_grad()) module.Weights.copy_(tensor(new float[] { 1, 3 }));
        var step = Run(module, [1, 0], [0, 3]).Step;
        Assert.Equal(0.5, step.Weights["t0"], 5);
        Assert.Equal(1.5, step.Weights["t1"], 5);
    }

    [Fact]
    public void Uncertainty_GivenLogVariances_MatchesHalfExpFormula()
    {
        using var scope = NewDisposeScope();
        var module = (UncertaintyModule)Balancers.Uncertainty().Create(new BalancerContext(["a", "b"], CPU));
        using (no_grad()) module.LogVariance.copy_(tensor(new float[] { 0, (float)Math.Log(2) }));
        var losses = TaskLosses.From(["a", "b"], t => tensor(t == "a" ? 1f : 4f));
        var step = module.Backward(losses, new StepContext([], 0, 0));
        // ½[(e⁰·1 + 0) + (e^{−ln 2}·4 + ln 2)] = ½(3 + ln 2); weights ½e^{−s}; ∂/∂s = ½(1 − e^{−s} L).
        Assert.Equal(0.5 * (3 + Math.Log(2)), step.TotalLoss, 5);
        Assert.Equal(0.5, step.Weights["a"], 6);
        Assert.Equal(0.25, step.Weights["b"], 6);
        Assert.Equal([0f, -0.5f], module.LogVariance.grad!.data<float>().Select(v => MathF.Round(v, 5)).ToArray());
    }

    [Fact]
    public void Dwa_WeightsFromLossRatios_AndUniformForTheFirstTwoEpochs()
    {
        var module = (DwaModule)Balancers.Dwa().Create(new BalancerContext(["a", "b"], CPU));
        Assert.Equal([1.0, 1.0], module.CurrentWeights());
        module.OnEpochEnd(new EpochSummary(1, new Dictionary<string, double> { ["a"] = 1.0, ["b"] = 2.0 }));
        Assert.Equal([1.0, 1.0], module.CurrentWeights());
        module.OnEpochEnd(new EpochSummary(2, new Dictionary<string, double> { ["a"] = 0.5, ["b"] = 2.0 }));
        // r = (0.5, 1): w = 2 e^{r/2} / Σ e^{r/2}.
        var weights = module.CurrentWeights();
        double ea = Math.Exp(0.25), eb = Math.Exp(0.5);
        Assert.Equal(2 * ea / (ea + eb), weights[0], 9);
        Assert.Equal(2 * eb / (ea + eb), weights[1], 9);
    }

    [Fact]
    public void CAGrad_OrthogonalUnitGradients_ScalesTheMeanByOnePlusCOverOnePlusCSquared()
    {
        // Symmetric: w = (½, ½), g_w = g₀, λ = c ‖g₀‖ / ‖g_w‖ = c, d = (1 + c) g₀ / (1 + c²).
        var weights = CAGradModule.Weights(GramOf([1, 0], [0, 1]), 0.4);
        Assert.All(weights, w => Assert.Equal(0.5 * 1.4 / 1.16, w, 6));
        Assert.All(CAGradModule.Weights(GramOf([1, 0], [0, 1]), 0.0), w => Assert.Equal(0.5, w, 9));
    }

    [Fact]
    public void CAGrad_ConflictingGradients_MatchesBruteForceDual()
    {
        double[] g1 = [1, 0], g2 = [-0.5, 1];
        const double c = 0.4;
        double[] g0 = [(g1[0] + g2[0]) / 2, (g1[1] + g2[1]) / 2];
        double g0Norm = Math.Sqrt(g0[0] * g0[0] + g0[1] * g0[1]);
        double bestW = 0, best = double.PositiveInfinity;
        for (int i = 0; i <= 100000; i++)
        {
            double w = i / 100000.0;
            double[] gw = [w * g1[0] + (1 - w) * g2[0], w * g1[1] + (1 - w) * g2[1]];
            double f = gw[0] * g0[0] + gw[1] * g0[1] + c * g0Norm * Math.Sqrt(gw[0] * gw[0] + gw[1] * gw[1]);
            if (f < best) (best, bestW) = (f, w);
        }
        double[] gBest = [bestW * g1[0] + (1 - bestW) * g2[0], bestW * g1[1] + (1 - bestW) * g2[1]];
        double lambda = c * g0Norm / Math.Sqrt(gBest[0] * gBest[0] + gBest[1] * gBest[1]);
        var expected = Combine([(0.5 + lambda * bestW) / (1 + c * c), (0.5 + lambda * (1 - bestW)) / (1 + c * c)], g1, g2);
        var actual = Combine(CAGradModule.Weights(GramOf(g1, g2), c), g1, g2);
        Assert.Equal(expected[0], actual[0], 4);
        Assert.Equal(expected[1], actual[1], 4);
    }

    [Fact]
    public void ImtlG_ClosedForm_TwoTasks_GivesEqualProjections()
    {
        // g1 = (2, 0), g2 = (0, 1): α₂ = g₁·(u₁ − u₂) / ((g₁ − g₂)·(u₁ − u₂)) = 2/3, α₁ = 1/3; d = (2/3, 2/3).
        var alpha = ImtlModule.GradientWeights(GramOf([2, 0], [0, 1]));
        Assert.Equal(1.0 / 3, alpha[0], 9);
        Assert.Equal(2.0 / 3, alpha[1], 9);
    }

    [Fact]
    public void ImtlG_ThreeTasks_CombinationHasEqualProjectionOnEveryUnitGradient()
    {
        double[][] g = [[3, 0, 1], [0, 1, 0.5], [-1, 2, 2]];
        var alpha = ImtlModule.GradientWeights(GramOf(g));
        var d = Combine(alpha, g);
        var projections = g.Select(v => v.Zip(d, (a, b) => a * b).Sum() / Math.Sqrt(v.Sum(x => x * x))).ToArray();
        Assert.Equal(1.0, alpha.Sum(), 9);
        Assert.Equal(projections[0], projections[1], 9);
        Assert.Equal(projections[0], projections[2], 9);
    }

    [Fact]
    public void NashMtl_OrthogonalGradients_GivesInverseNorms()
    {
        // Orthogonal: (GGᵀ) α = 1/α gives α_t = 1/‖g_t‖ (Navon et al. §3); the code's normalisation by ‖GGᵀ‖_F
        // multiplies α by ‖GGᵀ‖_F^{1/2} = 337^{1/4}.
        var gram = GramOf([3, 0], [0, 4]);
        var exact = NashMtlModule.Bargain(gram);
        Assert.Equal(1.0 / 3, exact[0], 9);
        Assert.Equal(1.0 / 4, exact[1], 9);
        var weights = NashMtlModule.Weights(gram);
        Assert.Equal(Math.Pow(337, 0.25) / 3, weights[0], 9);
        Assert.Equal(Math.Pow(337, 0.25) / 4, weights[1], 9);
    }

    [Fact]
    public void NashMtl_ConflictingGradients_SolvesTheBargainingEquation()
    {
        var gram = GramOf([1, 0, 0.5], [-0.7, 1, 0], [0.2, 0.3, 2]);
        var alpha = NashMtlModule.Bargain(gram);
        var residual = BalancerMathForTests.Multiply(gram, alpha).Select((v, i) => v - 1 / alpha[i]);
        Assert.All(residual, r => Assert.True(Math.Abs(r) < 1e-9, $"residual {r}"));
        Assert.All(alpha, a => Assert.True(a > 0));
    }

    [Fact]
    public void Rlw_WeightsSumToOne_AndAreDeterministicBySeed()
    {
        var a = RlwModule.WeightsAt(3, seed: 5, step: 10);
        Assert.Equal(1.0, a.Sum(), 12);
        Assert.All(a, w => Assert.True(w > 0));
        Assert.Equal(a, RlwModule.WeightsAt(3, seed: 5, step: 10));
        Assert.NotEqual(a, RlwModule.WeightsAt(3, seed: 5, step: 11));
        Assert.NotEqual(a, RlwModule.WeightsAt(3, seed: 6, step: 10));
    }

    [Fact]
    public void GradDrop_KeepsTheSignChosenByPurityAgainstTheSample()
    {
        using var scope = NewDisposeScope();
        // Column 0: both positive, P = 1 → both kept. Column 1: (−1, 3), P = ¾ > U = ½ → positives kept.
        // Column 2: (2, −2), P = ½ < U = 0.7 → negatives kept. Column 3: (−1, −1), P = 0 → both kept.
        var g = tensor(new float[,] { { 1, -1, 2, -1 }, { 1, 3, -2, -1 } });
        var u = tensor(new float[] { 0.99f, 0.5f, 0.7f, 0.01f });
        var kept = GradDropModule.Masked(g, u);
        Assert.Equal([2f, 3f, -2f, -2f], kept.sum(dim: 0).data<float>().ToArray());
        var leaky = GradDropModule.Masked(g, u, leak: 1.0);
        Assert.Equal(g.data<float>().ToArray(), leaky.data<float>().ToArray());
    }

    [Fact]
    public void Dtp_FocalWeight_AndKpisFromEvaluations()
    {
        Assert.Equal(-0.5 * Math.Log(0.5), Dtp.FocalWeight(0.5, 1.0), 12);
        Assert.Equal(-0.25 * Math.Log(0.5), Dtp.FocalWeight(0.5, 2.0), 12);
        var module = (DtpModule)Balancers.Dtp(gamma: 1, smoothing: 0.5).Create(new BalancerContext(["semseg", "depth"], CPU));
        Assert.Equal([1.0, 1.0], module.CurrentWeights());
        EvaluationRecord Eval(double miou, double rmse) => new(1, 1,
        [
            new MetricValue("semseg", "mIoU", MetricDirection.HigherIsBetter, true, miou),
            new MetricValue("depth", "RMSE", MetricDirection.LowerIsBetter, true, rmse),
        ]);
        module.OnEvaluation(Eval(40, 2.0));      // κ = (0.4, 1 / (1 + 1)) = (0.4, 0.5)
        Assert.Equal([0.4, 0.5], module.Kpis.Select(k => Math.Round(k, 12)));
        module.OnEvaluation(Eval(60, 1.0));      // κ = (0.6, 2/3); averaged with weight ½: (0.5, 7/12)
        Assert.Equal(0.5, module.Kpis[0], 12);
        Assert.Equal(7.0 / 12, module.Kpis[1], 12);
        Assert.Equal(Dtp.FocalWeight(7.0 / 12, 1.0), module.CurrentWeights()[1], 12);
    }

    [Fact]
    public void GridSearch_SurveyTable4_HasTwelveSettings_AndWeightGridEnumeratesRatios()
    {
        var settings = GridSearch.SurveyTable4();
        Assert.Equal(12, settings.Count);
        Assert.Equal(8, settings.Count(s => s.Optimizer is Sgd));
        Assert.Equal([6, 12], settings.Select(s => s.BatchSize).Distinct().Order());
        var weights = GridSearch.Weights(["semseg", "depth", "normals"], [1, 10], reference: "semseg");
        Assert.Equal(4, weights.Count);
        Assert.All(weights, w => Assert.Equal(1.0, w.Weights["semseg"]));
        Assert.Equal(8, GridSearch.Enumerate(weights.Take(2), settings.Take(4)).Count);
    }

    [Fact]
    public void FromName_UnknownName_ListsTheKnownOnes()
    {
        Assert.IsType<GradNorm>(Balancers.FromName("GradNorm"));
        var error = Assert.Throws<ArgumentException>(() => Balancers.FromName("gradnrom"));
        Assert.Contains("pcgrad", error.Message);
    }
}

/// <summary>Matrix–vector product for residual checks.</summary>
internal static class BalancerMathForTests
{
    public static double[] Multiply(double[,] m, double[] x) =>
        Enumerable.Range(0, x.Length).Select(i => Enumerable.Range(0, x.Length).Sum(j => m[i, j] * x[j])).ToArray();
}
