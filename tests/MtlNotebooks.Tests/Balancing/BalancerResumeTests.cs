using MtlNotebooks.Balancing;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Balancing;

/// <summary>What any balancer, the library's or a user's own, must do (<see cref="Contracts.Check(ILossBalancer)"/>): the
/// same run twice gives the same steps (it is deterministic under the run's seed), its weights are finite, it trains a
/// single-task and a multi-task model, and a run stopped after a checkpoint and resumed from it continues exactly as the
/// uninterrupted run (its state, buffers and parameters, is saved and restored). Broken balancers are named.</summary>
[Collection("Torch")]
public sealed class BalancerResumeTests
{
    /// <summary>Every registered strategy, STCH past its warm-up, and two written here as a user would.</summary>
    private static readonly IReadOnlyDictionary<string, ILossBalancer> Subjects = new Dictionary<string, ILossBalancer>(Balancers.All)
    {
        ["stch-after-warmup"] = Balancers.Stch(warmupEpochs: 0),
        ["user-loss-weights"] = new InverseRunningLoss(0.5),
        ["user-gradient"] = new UnitGradientSum(),
    };

    public static TheoryData<string> Names() => [.. Subjects.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Contract_DeterministicFiniteResumableAndTrainsSingleTaskBaselines(string name) =>
        Assert.Empty(Contracts.Check(Subjects[name]));

    [Fact]
    public void Contract_NamesAnUnseededBalancer_AndOneWhoseStateIsNotInTheCheckpoint()
    {
        var unseeded = Contracts.Check(new Jittered());
        Assert.Contains(unseeded, p => p.Contains("'jittered': two runs with the same seed differ at step 1"));

        var forgetful = Contracts.Check(new Forgetful());
        // Stopped in epoch 2, the run resumes from epoch 1's checkpoint: its step counter starts again at step 3.
        Assert.StartsWith("Balancer 'forgetful': a run resumed from its checkpoint differs from the uninterrupted run at step 3 (total loss",
            Assert.Single(forgetful));
    }

    [Fact]
    public void Contract_NamesNonFiniteWeights()
    {
        var problems = Contracts.Check(new NotANumber());
        Assert.Contains(problems, p => p.StartsWith("Balancer 'not a number': the multi-task run has non-finite values at step 1: semseg weight NaN", StringComparison.Ordinal));
    }

    /// <summary>Draws its weights from an unseeded generator: two runs differ.</summary>
    private sealed record Jittered : ILossBalancer
    {
        public string Name => "jittered";
        public LossBalancer Create(BalancerContext context) => new JitteredModule(context.Tasks);
    }

    private sealed class JitteredModule(IReadOnlyList<string> tasks) : WeightedLossBalancer("Jittered", tasks)
    {
        private readonly Random _random = new();

        protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
        {
            var weights = tensor(losses.Tasks.Select(_ => (float)(0.5 + _random.NextDouble())).ToArray());
            return ((weights * losses.Stack()).sum(), weights);
        }
    }

    /// <summary>Counts its steps in a plain field, which no checkpoint holds: a resumed run starts counting again.</summary>
    private sealed record Forgetful : ILossBalancer
    {
        public string Name => "forgetful";
        public LossBalancer Create(BalancerContext context) => new ForgetfulModule(context.Tasks);
    }

    private sealed class ForgetfulModule(IReadOnlyList<string> tasks) : WeightedLossBalancer("Forgetful", tasks)
    {
        private int _steps;

        protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
        {
            _steps++;
            var weights = full(losses.Count, 1.0f / _steps);
            return ((weights * losses.Stack()).sum(), weights);
        }
    }

    private sealed record NotANumber : ILossBalancer
    {
        public string Name => "not a number";
        public LossBalancer Create(BalancerContext context) => new NotANumberModule(context.Tasks);
    }

    private sealed class NotANumberModule(IReadOnlyList<string> tasks) : WeightedLossBalancer("NotANumber", tasks)
    {
        protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
        {
            var weights = full(losses.Count, float.NaN);
            return (losses.Stack().sum(), weights);
        }
    }

    /// <summary>A user's loss weighting: w_t ∝ 1 / (running mean of L_t), the running means in a buffer.</summary>
    private sealed record InverseRunningLoss(double Momentum) : ILossBalancer
    {
        public string Name => "inverse running loss";
        public bool Separable => true;
        public LossBalancer Create(BalancerContext context) => new InverseRunningLossModule(context.Tasks, Momentum);
    }

    private sealed class InverseRunningLossModule : WeightedLossBalancer
    {
        private readonly Tensor running;
        private readonly double _momentum;

        public InverseRunningLossModule(IReadOnlyList<string> tasks, double momentum) : base("InverseRunningLoss", tasks)
        {
            _momentum = momentum;
            running = ones(tasks.Count);
            RegisterComponents();
        }

        protected override (Tensor Total, Tensor Weights) Combine(TaskLosses losses, StepContext step)
        {
            var stacked = losses.Stack();
            var index = tensor(losses.Tasks.Select(t => (long)Tasks!.ToList().IndexOf(t)).ToArray());
            using (no_grad())
                running.index_copy_(0, index, running.index_select(0, index) * _momentum + (1 - _momentum) * stacked.detach());
            var weights = 1 / ForLosses(running, losses);
            return ((weights * stacked).sum(), weights);
        }
    }

    /// <summary>A user's gradient method: the sum of the unit task gradients, decayed by 1/√k at step k (the count in a buffer).</summary>
    private sealed record UnitGradientSum : ILossBalancer
    {
        public string Name => "unit gradient sum";
        public LossBalancer Create(BalancerContext context) => new UnitGradientSumModule();
    }

    private sealed class UnitGradientSumModule : GradientBalancer
    {
        private readonly Tensor steps = zeros(1, ScalarType.Int64);

        public UnitGradientSumModule() : base("UnitGradientSum") => RegisterComponents();

        protected override GradientCombination Combine(Tensor gradients, double[] losses, StepContext step)
        {
            steps.add_(1);
            double decay = 1.0 / Math.Sqrt(steps.item<long>());
            var norms = gradients.square().sum(1).sqrt().to(ScalarType.Float64).cpu().data<double>().ToArray();
            var weights = norms.Select(n => decay / (n + 1e-12)).ToArray();
            return new GradientCombination(Weighted(gradients, weights), weights);
        }
    }
}
