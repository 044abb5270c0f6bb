using static TorchSharp.torch;

namespace MtlNotebooks.Balancing;

/// <summary>Random loss weighting (Lin et al., "Reasonable Effectiveness of Random Weighting", TMLR 2022, §3):
/// every step draws z ~ N(0, I_T) and weights the losses by λ = softmax(z), so Σ λ_t = 1. The draws come from a
/// generator seeded with (<paramref name="Seed"/>, step), so a run is reproducible and a resumed run draws the same
/// weights. Hyper-parameter: none besides the seed (the paper's default distribution is the standard normal).</summary>
public sealed record Rlw(int Seed = 0) : ILossBalancer
{
    public string Name => "RLW";

    public LossBalancer Create(BalancerContext context) => new RlwModule(context.Tasks.Count, Seed);
}

/// <summary>Runtime of <see cref="Rlw"/>.</summary>
public sealed class RlwModule : WeightedLossBalancer
{
    private readonly int _tasks;
    private readonly int _seed;

    public RlwModule(int tasks, int seed) : base(nameof(Rlw))
    {
        _tasks = tasks;
        _seed = seed;
        RegisterComponents();
    }

    /// <summary>The weights λ = softmax(z) of step <paramref name="step"/>, z ~ N(0, I) (Box–Muller on a seeded
    /// <see cref="Random"/>, identical on every platform).</summary>
    public static double[] WeightsAt(int tasks, int seed, long step)
    {
        var random = new Random(StepSeed.For(seed, step));
        var z = new double[tasks];
        for (int t = 0; t < tasks; t++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            z[t] = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
        double max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
    {
        var weights = tensor(WeightsAt(_tasks, _seed, step.Step), ScalarType.Float32).to(losses.Values.First().device);
        return ((weights * losses.Stack()).sum(), weights);
    }
}
