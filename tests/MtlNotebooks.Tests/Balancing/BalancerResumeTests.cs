using MtlNotebooks.Balancing;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Balancing;

/// <summary>What any balancer, the library's or a user's own, must do: the same run twice gives the same steps (it is
/// deterministic under the run's seed), its weights are finite, it trains a single-task and a multi-task model, and a
/// run stopped after a checkpoint and resumed from it continues exactly as the uninterrupted run (its state, buffers and
/// parameters, is saved and restored).</summary>
[Collection("Torch")]
public sealed class BalancerResumeTests : IDisposable
{
    private readonly SyntheticDataset _train = SyntheticDataset.Create(SyntheticSplit.Train, 8, 32, 32, seed: 4);
    private readonly SyntheticDataset _validation = SyntheticDataset.Create(SyntheticSplit.Validation, 4, 32, 32, seed: 4);

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
    }

    /// <summary>Every registered strategy, STCH past its warm-up, and two written here as a user would.</summary>
    private static readonly IReadOnlyDictionary<string, ILossBalancer> Subjects = new Dictionary<string, ILossBalancer>(Balancers.All)
    {
        ["stch-after-warmup"] = Balancers.Stch(warmupEpochs: 0),
        ["user-loss-weights"] = new InverseRunningLoss(0.5),
        ["user-gradient"] = new UnitGradientSum(),
    };

    public static TheoryData<string> Names() => [.. Subjects.Keys];

    private static MultiTaskNetBuilder Builder(ILossBalancer balancer, IArchitecture architecture) => MultiTaskNet.CreateBuilder()
        .UseBackbone(Backbones.SmallResNet(4))
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
        .AddTask(DenseTasks.Depth())
        .AddTask(DenseTasks.SurfaceNormals())
        .UseArchitecture(architecture)
        .UseBalancer(balancer)
        .WithSeed(1);

    private static TrainingOptions Options => new() { Epochs = 3, BatchSize = 4, Seed = 1, Optimizer = Optimizers.Adam(1e-3) };

    [Theory]
    [MemberData(nameof(Names))]
    public void Fit_StoppedAndResumed_RepeatsTheUninterruptedRunStepForStep(string name)
    {
        var balancer = Subjects[name];
        var folder = Directory.CreateTempSubdirectory("mtl-resume-").FullName;
        try
        {
            var path = Path.Combine(folder, "run.ckpt");
            TrainingHistory reference;
            using (var full = Builder(balancer, Architectures.HardSharing()).Build())
                reference = Trainer.Fit(full, _train, _validation, Options);
            using (var first = Builder(balancer, Architectures.HardSharing()).Build())
                Assert.Throws<OperationCanceledException>(() =>
                    Trainer.Fit(first, _train, _validation, Options with { CheckpointPath = path, Progress = new StopAt(4) }));
            using var resumed = Builder(balancer, Architectures.HardSharing()).Build();
            var continued = Trainer.Fit(resumed, _train, _validation, Options with { ResumeFrom = path });

            Assert.Equal(6, continued.Steps.Count);
            foreach (var (expected, actual) in reference.Steps.Zip(continued.Steps))
            {
                Assert.All(actual.Weights.Values, w => Assert.True(double.IsFinite(w), $"{name}: weight {w} at step {actual.Step}"));
                Assert.True(expected.TotalLoss == actual.TotalLoss, $"{name}: step {actual.Step} loss {actual.TotalLoss} != {expected.TotalLoss}");
                Assert.Equal(expected.Weights, actual.Weights);
            }
            Assert.Equal(reference.Final.Metrics.Select(m => m.Value), continued.Final.Metrics.Select(m => m.Value));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("user-loss-weights")]
    [InlineData("user-gradient")]
    public void UserBalancer_TrainsSingleTaskBaselines(string name)
    {
        using var model = Builder(Subjects[name], Architectures.SingleTask()).Build();
        var history = Trainer.Fit(model, _train, _validation, Options with { Epochs = 1 });
        Assert.All(history.Steps, s => Assert.True(double.IsFinite(s.TotalLoss)));
        Assert.All(history.Steps, s => Assert.All(s.Weights.Values, w => Assert.True(double.IsFinite(w))));
    }

    private sealed class StopAt(long step) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step) throw new OperationCanceledException("stopped");
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
