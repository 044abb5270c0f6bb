using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Checks;

/// <summary>The contract of a loss balancer, behind <see cref="Contracts.Check(ILossBalancer)"/>: it trains tiny networks
/// with the balancer and names every broken promise.</summary>
internal static class BalancerContract
{
    /// <inheritdoc cref="Contracts.Check(ILossBalancer)"/>
    public static IReadOnlyList<string> Check(ILossBalancer balancer)
    {
        ArgumentNullException.ThrowIfNull(balancer);
        var owner = $"Balancer '{balancer.Name}'";
        var problems = new List<string>();
        using var quiet = AmbientProgress.Use(null);   // the contract's own runs are not the reader's training
        using var train = new ContractData("contract/train", 8, 32, 32, seed: 4);
        using var validation = new ContractData("contract/validation", 4, 32, 32, seed: 5);
        var options = new TrainingOptions { Epochs = 3, BatchSize = 4, Seed = 1, Optimizer = Training.Optimizers.Adam(1e-3) };
        var plan = BalancerProbe(balancer, Architectures.HardSharing()).Plan();
        if (plan.Problems.Count > 0)
            return [.. plan.Problems.Select(p => $"{owner}: the builder refuses it: {p}")];

        TrainingHistory? Fit(string what, IArchitecture architecture, TrainingOptions run) => ContractRun.Guard(problems, owner, what, () =>
        {
            using var model = BalancerProbe(balancer, architecture).Build();
            return Trainer.Fit(model, train, validation, run);
        });

        var reference = Fit("a multi-task run", Architectures.HardSharing(), options);
        if (reference is not null)
        {
            NonFiniteSteps(problems, owner, "the multi-task run", reference);
            var repeat = Fit("a second multi-task run", Architectures.HardSharing(), options);
            if (repeat is not null && FirstDifference(reference, repeat) is { } differs)
                problems.Add($"{owner}: two runs with the same seed differ at {differs}; draw random numbers from a generator seeded by the " +
                             "balancer's seed and the step (as PCGrad and RLW do), not from a shared or unseeded one.");
            else if (repeat is not null)
                CheckResume(problems, owner, balancer, train, validation, options, reference);
        }
        var single = Fit("the single-task baselines", Architectures.SingleTask(), options with { Epochs = 1 });
        if (single is not null) NonFiniteSteps(problems, owner, "the single-task baselines", single);
        return problems;
    }

    /// <summary>A run stopped at its 4th step, after the checkpoints of its first epochs, and resumed from the last one must repeat the reference.</summary>
    private static void CheckResume(List<string> problems, string owner, ILossBalancer balancer, ContractData train, ContractData validation,
        TrainingOptions options, TrainingHistory reference)
    {
        var folder = Directory.CreateTempSubdirectory("mtl-balancer-contract-").FullName;
        try
        {
            var path = Path.Combine(folder, "run.ckpt");
            using (var first = BalancerProbe(balancer, Architectures.HardSharing()).Build())
            {
                try
                {
                    Trainer.Fit(first, train, validation, options with { CheckpointPath = path, Progress = new StopAtStep(4) });
                }
                catch (OperationCanceledException)
                {
                    // The stop this check asked for.
                }
            }
            var resumed = ContractRun.Guard(problems, owner, "resuming from a checkpoint", () =>
            {
                using var model = BalancerProbe(balancer, Architectures.HardSharing()).Build();
                return Trainer.Fit(model, train, validation, options with { ResumeFrom = path });
            });
            if (resumed is not null && FirstDifference(reference, resumed) is { } differs)
                problems.Add($"{owner}: a run resumed from its checkpoint differs from the uninterrupted run at {differs}; keep the balancer's " +
                             "state in registered buffers or parameters of its module so the checkpoint saves and restores it.");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static MultiTaskNetBuilder BalancerProbe(ILossBalancer balancer, IArchitecture architecture) => MultiTaskNet.CreateBuilder()
        .UseBackbone(Backbones.SmallResNet(4))
        .AddTask(DenseTasks.SemanticSegmentation(ContractData.ClassCount))
        .AddTask(DenseTasks.Depth())
        .AddTask(DenseTasks.SurfaceNormals())
        .UseArchitecture(architecture)
        .UseBalancer(balancer)
        .WithSeed(1);

    private static void NonFiniteSteps(List<string> problems, string owner, string run, TrainingHistory history)
    {
        foreach (var step in history.Steps)
        {
            var bad = step.Weights.Where(w => !double.IsFinite(w.Value)).Select(w => $"{w.Key} weight {w.Value}").ToList();
            if (!double.IsFinite(step.TotalLoss)) bad.Add($"total loss {step.TotalLoss}");
            if (bad.Count == 0) continue;
            problems.Add($"{owner}: {run} has non-finite values at step {step.Step}: {string.Join(", ", bad)}.");
            return;
        }
    }

    /// <summary>The first step where two runs' total losses or weights differ, in words; null when they are equal throughout.</summary>
    private static string? FirstDifference(TrainingHistory expected, TrainingHistory actual)
    {
        if (expected.Steps.Count != actual.Steps.Count) return $"the step count ({actual.Steps.Count} instead of {expected.Steps.Count})";
        foreach (var (e, a) in expected.Steps.Zip(actual.Steps))
        {
            if (!e.TotalLoss.Equals(a.TotalLoss)) return $"step {a.Step} (total loss {a.TotalLoss:R} instead of {e.TotalLoss:R})";
            if (!e.Weights.OrderBy(w => w.Key).SequenceEqual(a.Weights.OrderBy(w => w.Key)))
                return $"step {a.Step} (weights {Format(a.Weights)} instead of {Format(e.Weights)})";
        }
        return null;
    }

    private static string Format(IReadOnlyDictionary<string, double> weights) =>
        string.Join(", ", weights.OrderBy(w => w.Key).Select(w => $"{w.Key} {w.Value:R}"));

    private sealed class StopAtStep(long step) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step) throw new OperationCanceledException("stopped by the balancer contract");
        }
    }
}
