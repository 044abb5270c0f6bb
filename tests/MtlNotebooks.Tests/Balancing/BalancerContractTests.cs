using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Balancing;

/// <summary>Every registered balancer works with any architecture: it trains through <see cref="Trainer.Fit"/> with
/// finite losses and weights, and degrades to the plain sum where nothing is shared.</summary>
[Collection("Torch")]
public sealed class BalancerContractTests : IDisposable
{
    private readonly SyntheticDataset _train = SyntheticDataset.Create(SyntheticSplit.Train, 8, 32, 32, seed: 3);
    private readonly SyntheticDataset _validation = SyntheticDataset.Create(SyntheticSplit.Validation, 4, 32, 32, seed: 3);

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
    }

    public static TheoryData<string> Names() => [.. Balancers.All.Keys];

    private static MultiTaskNetBuilder Builder(string balancer, IArchitecture architecture) => MultiTaskNet.CreateBuilder()
        .UseBackbone((architecture as IPreferredBackbone)?.DefaultBackbone(4, 32, 32) ?? Backbones.SmallResNet(4))   // MTAN's has two blocks per stage; TaskPrompter's ViT is built for the 32×32 scenes
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
        .AddTask(DenseTasks.Depth())
        .AddTask(DenseTasks.SurfaceNormals())
        .UseArchitecture(architecture)
        .UseBalancer(Balancers.All[balancer])
        .WithSeed(1);

    // Three epochs of two steps: DWA reaches its loss-ratio weights, DTP its KPI weights, GradNorm moves its weights.
    private static TrainingOptions Options => new() { Epochs = 3, BatchSize = 4, Seed = 1, Optimizer = Optimizers.Adam(1e-3) };

    private static float[] Shared(MultiTaskModel model) =>
        model.Network.SharedParameters().SelectMany(p => p.detach().cpu().flatten().data<float>().ToArray()).ToArray();

    [Theory]
    [MemberData(nameof(Names))]
    public void Fit_HardSharing_TrainsWithFiniteLossesAndWeights(string name)
    {
        using var model = Builder(name, Architectures.HardSharing()).Build();
        var before = Shared(model);
        var history = Trainer.Fit(model, _train, _validation, Options);
        Assert.Equal(6, history.Steps.Count);
        foreach (var step in history.Steps)
        {
            Assert.True(double.IsFinite(step.TotalLoss), $"{name}: total loss {step.TotalLoss} at step {step.Step}");
            Assert.Equal(["semseg", "depth", "normals"], step.Weights.Keys);
            Assert.All(step.Weights.Values, w => Assert.True(double.IsFinite(w), $"{name}: weight {w} at step {step.Step}"));
            if (step.GradientNorms is { } norms) Assert.All(norms.Values, n => Assert.True(double.IsFinite(n) && n >= 0));
        }
        Assert.NotEqual(before, Shared(model));
        Assert.All(history.Final.Metrics, m => Assert.True(double.IsFinite(m.Value), $"{name}: {m.Task} {m.Metric} = {m.Value}"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Fit_SingleTask_DegradesGracefully(string name)
    {
        using var model = Builder(name, Architectures.SingleTask()).Build();
        var history = Trainer.Fit(model, _train, _validation, Options with { Epochs = 1 });
        Assert.All(history.Steps, s => Assert.True(double.IsFinite(s.TotalLoss)));
        // No shared parameters: GradNorm and the gradient methods back-propagate the plain sum with weights 1.
        if (model.Balancer is MtlNotebooks.Balancing.GradientBalancer or MtlNotebooks.Balancing.GradNormModule)
        {
            Assert.All(history.Steps, s => Assert.All(s.Weights.Values, w => Assert.Equal(1.0, w)));
            Assert.All(history.Steps, s => Assert.Equal(s.TaskLosses.Values.Sum(), s.TotalLoss, 4));
        }
    }

    public static TheoryData<string, string> ArchitecturesAndBalancers()
    {
        var data = new TheoryData<string, string>();
        // ASTMT steps one task at a time, which gradient methods cannot: Build rejects them (SingleTasking tests).
        // The branched search builds once baselines are trained; Branched tests train its networks with these balancers.
        foreach (var architecture in Architectures.All.Where(kv => kv.Value is not (MtlNotebooks.Modules.SingleTasking.Astmt or MtlNotebooks.Modules.EncoderFocused.BranchedSearch)).Select(kv => kv.Key)
                     .Where(k => k is not ("single-task" or "hard-sharing")))
            foreach (var balancer in new[] { "gradnorm", "mgda-ub", "pcgrad" }) data.Add(architecture, balancer);
        return data;
    }

    [Theory]
    [MemberData(nameof(ArchitecturesAndBalancers))]
    public void Fit_DecoderFocusedArchitecture_GradientBasedBalancersTrain(string architecture, string balancer)
    {
        using var model = Builder(balancer, Architectures.All[architecture]).Build();
        var shared = model.Network.SharedParameters().Select(p => p.Handle).ToHashSet();
        Assert.All(model.Network.LastSharedParameters(), p => Assert.Contains(p.Handle, shared));
        var history = Trainer.Fit(model, _train, _validation, Options with { Epochs = 1 });
        Assert.All(history.Steps, s => Assert.True(double.IsFinite(s.TotalLoss), $"{architecture} × {balancer}: loss {s.TotalLoss}"));
        Assert.All(history.Steps, s => Assert.All(s.Weights.Values, w => Assert.True(double.IsFinite(w))));
        if (shared.Count > 0) Assert.All(history.Steps, s => Assert.NotNull(s.GradientNorms));
    }

    public static TheoryData<string> ArchitectureKeys() => [.. Architectures.All.Keys];

    /// <summary>Every architecture of the registry × every balancer of the registry: one training step with finite losses
    /// and weights, or, for a task-conditional network (ASTMT) and a balancer that needs every task in one step, a
    /// <see cref="BuildException"/> naming the balancer. The branched search gets its tree from untrained single-task networks.</summary>
    [Theory]
    [MemberData(nameof(ArchitectureKeys))]
    public void EveryBalancer_TrainsAStep_OnEveryArchitecture(string key)
    {
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 4, 32, 32, seed: 5);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 2, 32, 32, seed: 5);
        var architecture = Architectures.All[key];
        if (architecture is MtlNotebooks.Modules.EncoderFocused.BranchedSearch search)
        {
            using var baselines = Builder("uniform", Architectures.SingleTask()).UseBackbone(Backbones.SmallResNet(4)).Build();
            using var images = randn(4, 3, 32, 32);
            architecture = search.AfterBaselines(baselines.Network, images);
        }
        var failures = new List<string>();
        foreach (var (name, balancer) in Balancers.All)
        {
            var builder = Builder(name, architecture);
            if (architecture is MtlNotebooks.Modules.SingleTasking.ITaskConditional { TaskConditional: true } && !balancer.Separable)
            {
                var refused = Assert.Throws<BuildException>(() => builder.Build());
                if (!refused.Message.Contains(balancer.Name, StringComparison.Ordinal)) failures.Add($"{name}: the refusal does not name it: {refused.Message}");
                continue;
            }
            using var model = builder.Build();
            var history = Trainer.Fit(model, train, validation, Options with { Epochs = 1 });
            var step = Assert.Single(history.Steps);
            if (!double.IsFinite(step.TotalLoss) || step.Weights.Values.Any(w => !double.IsFinite(w)))
                failures.Add($"{name}: loss {step.TotalLoss}, weights {string.Join(", ", step.Weights.Values)}");
        }
        Assert.True(failures.Count == 0, $"{key}: " + string.Join("; ", failures));
    }

    [Fact]
    public void Build_InvalidHyperParameters_ListsEveryProblem()
    {
        var error = Assert.Throws<BuildException>(() => Builder("uniform", Architectures.HardSharing()).UseBalancer(Balancers.GradNorm(alpha: -1)).Build());
        Assert.Contains("GradNorm", error.Message);
        Assert.Contains("-1", error.Message);
        Assert.Contains("Temperature", Assert.Throws<BuildException>(() => Builder("uniform", Architectures.HardSharing()).UseBalancer(Balancers.Dwa(0)).Build()).Message);
        Assert.Contains("'parts'", Assert.Throws<BuildException>(() => Builder("uniform", Architectures.HardSharing())
            .UseBalancer(Balancers.Dtp(kpis: new Dictionary<string, MtlNotebooks.Balancing.KpiFunction> { ["parts"] = (_, _) => 0.5 })).Build()).Message);
    }

    [Fact]
    public void Fit_GradientBalancer_RecordsGradientNormsPerStep()
    {
        using var model = Builder("mgda", Architectures.HardSharing()).Build();
        var history = Trainer.Fit(model, _train, _validation, Options with { Epochs = 1 });
        Assert.All(history.Steps, s => Assert.Equal(3, s.GradientNorms!.Count));
        Assert.All(history.Steps, s => Assert.Equal(1.0, s.Weights.Values.Sum(), 6));    // MGDA's α lie on the simplex
    }

    [Fact]
    public void LastSharedParameters_HardSharing_IsTheBackbonesLastStage()
    {
        using var model = Builder("uniform", Architectures.HardSharing()).Build();
        var shared = model.Network.SharedParameters().Select(p => p.Handle).ToHashSet();
        var last = model.Network.LastSharedParameters();
        var stage = model.Network.named_parameters().Where(p => p.name.StartsWith("backbone.layers.3.", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(stage);
        Assert.Equal(stage.Select(p => p.parameter.Handle), last.Select(p => p.Handle));
        Assert.All(last, p => Assert.Contains(p.Handle, shared));
        using var single = Builder("uniform", Architectures.SingleTask()).Build();
        Assert.Empty(single.Network.LastSharedParameters());
    }

    [Fact]
    public void Checkpoint_ResumedDwaRun_EqualsUninterruptedRun()
    {
        var folder = Directory.CreateTempSubdirectory("mtl-balancer-").FullName;
        try
        {
            var path = Path.Combine(folder, "dwa.ckpt");
            using var full = Builder("dwa", Architectures.HardSharing()).Build();
            var reference = Trainer.Fit(full, _train, _validation, Options with { Epochs = 4 });
            using (var first = Builder("dwa", Architectures.HardSharing()).Build())
            {
                // Stopped in epoch 3, after the checkpoint of epoch 2: DWA's loss history must come from the file.
                var stop = new StopAt(5);
                Assert.Throws<OperationCanceledException>(() =>
                    Trainer.Fit(first, _train, _validation, Options with { Epochs = 4, CheckpointPath = path, Progress = stop }));
            }
            using var resumed = Builder("dwa", Architectures.HardSharing()).Build();
            var continued = Trainer.Fit(resumed, _train, _validation, Options with { Epochs = 4, ResumeFrom = path });
            Assert.Equal(reference.Steps.Select(s => s.Weights["depth"]), continued.Steps.Select(s => s.Weights["depth"]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class StopAt(long step) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step) throw new OperationCanceledException("stopped");
        }
    }
}
