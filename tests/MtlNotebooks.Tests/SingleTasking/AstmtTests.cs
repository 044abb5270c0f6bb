using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Modules.SingleTasking;
using MtlNotebooks.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.SingleTasking;

/// <summary>ASTMT's network and its training seams: task-conditional forward passes, per-task layers, adapters that
/// start as the identity, one optimiser step per task that leaves other tasks' layers alone, the balancers that apply.</summary>
[Collection("Torch")]
public sealed class AstmtTests
{
    private static readonly string[] TaskNames = ["semseg", "depth", "normals"];

    internal static MultiTaskNetBuilder Builder(IArchitecture architecture, IBackbone? backbone = null) => MultiTaskNet.CreateBuilder()
        .UseBackbone(backbone ?? Backbones.SEResNet26(0.125))
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
        .AddTask(DenseTasks.Depth())
        .AddTask(DenseTasks.SurfaceNormals())
        .UseArchitecture(architecture)
        .WithSeed(1);

    internal static (Tensor Images, TaskLabels Labels) Batch(int size = 32, int count = 2)
    {
        using var data = SyntheticDataset.Create(SyntheticSplit.Train, count, size, size, seed: 3);
        var batch = data.GetBatch([.. Enumerable.Range(0, count)]);
        return (batch.Images, batch.Labels);
    }

    public static TheoryData<string> Table3() => new(Architectures.AstmtTable3.Keys);

    [Theory]
    [MemberData(nameof(Table3))]
    public void Forward_EveryTable3Configuration_GivesEveryTaskAtInputSize(string name)
    {
        using var model = Builder(Architectures.AstmtTable3[name]).Build();
        using var scope = NewDisposeScope();
        model.Network.eval();
        var outputs = model.Network.call(randn(2, 3, 48, 40));
        Assert.Equal(TaskNames, outputs.Tasks);
        Assert.Equal([2L, 3, 48, 40], outputs["normals"].shape);
        var one = model.Network.Forward(randn(2, 3, 48, 40), ["depth"]);
        Assert.Equal(["depth"], one.Tasks);
    }

    [Theory]
    [MemberData(nameof(Table3))]
    public void TrainPass_EveryConfiguration_LossFallsOnAFixedBatch(string name)
    {
        using var model = Builder(Architectures.AstmtTable3[name]).Build();
        var (images, labels) = Batch();
        using var optimizer = Optimizers.Sgd(0.01).Create(Trainer.ParameterGroups(model));
        var step = new TrainingStep(model, optimizer);
        double Total()
        {
            var losses = new Dictionary<string, double>();
            foreach (var pass in model.Network.TrainingPasses())
                foreach (var (task, loss) in step.Pass(pass, images, labels, new StepContext([], 0, 0) { Epochs = 1 }).TaskLosses)
                    losses[task] = loss;
            return losses.Values.Sum();
        }
        double first = Total();
        double last = first;
        for (int i = 0; i < 8; i++) last = Total();
        Assert.True(last < first, $"{name}: loss {first:g4} → {last:g4}");
    }

    [Fact]
    public void TrainingPasses_OnePerTask_UnlessStepPerTaskIsOff()
    {
        using var astmt = Builder(Architectures.Astmt()).Build();
        Assert.Equal([["semseg"], ["depth"], ["normals"]], astmt.Network.TrainingPasses());
        Assert.True(Assert.IsAssignableFrom<ITaskConditional>(astmt.Plan.Architecture).TaskConditional);
        using var joint = Builder(Architectures.Astmt(stepPerTask: false, adversarial: false)).Build();
        Assert.Equal([TaskNames], joint.Network.TrainingPasses());
        Assert.False(Assert.IsAssignableFrom<ITaskConditional>(joint.Plan.Architecture).TaskConditional);
    }

    [Fact]
    public void TrainPass_OneTask_ChangesOnlyTheParametersThatTaskUsed()
    {
        using var model = Builder(Architectures.Astmt()).Build();
        var (images, labels) = Batch();
        // Momentum and weight decay would move a parameter that merely kept a zero gradient from an earlier pass.
        using var optimizer = Optimizers.Sgd(0.01, momentum: 0.9, weightDecay: 1e-2).Create(Trainer.ParameterGroups(model));
        var context = new StepContext([], 0, 0) { Epochs = 2 };
        var step = new TrainingStep(model, optimizer);
        step.Pass(["depth"], images, labels, context);
        var before = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        step.Pass(["semseg"], images, labels, context);
        var changed = model.Network.named_parameters().Where(p => !p.parameter.eq(before[p.name]).all().item<bool>()).Select(p => p.name).ToHashSet();
        string[] Segments(string name) => name.Split('.');
        Assert.DoesNotContain(changed, n => Segments(n).Contains("depth") || Segments(n).Contains("normals"));
        Assert.Contains(changed, n => Segments(n).Contains("semseg"));
        Assert.Contains("conv1.weight", changed);                  // shared stem
        Assert.Contains(changed, n => n.StartsWith("discriminator.", StringComparison.Ordinal));
        // Every parameter semseg's pass reaches has changed (its adapters start at zero but receive gradient).
        var semsegOrShared = model.Network.named_parameters().Select(p => p.name)
            .Where(n => !Segments(n).Contains("depth") && !Segments(n).Contains("normals")).ToArray();
        Assert.True(changed.Count >= 0.95 * semsegOrShared.Length, $"{changed.Count} of {semsegOrShared.Length} changed");
    }

    [Fact]
    public void Adapters_ZeroInitialised_LeaveTheOutputOfTheNetworkWithoutThem()
    {
        using var with = Builder(Architectures.Astmt(adversarial: false)).Build();
        using var without = Builder(Architectures.Astmt(adapters: false, adversarial: false)).Build();
        var adapterKeys = with.Network.state_dict().Keys.Where(k => k.Split('.').Contains("adapt")).ToArray();
        Assert.NotEmpty(adapterKeys);
        Assert.All(adapterKeys, k => Assert.Equal(0f, with.Network.state_dict()[k].abs().max().item<float>()));
        using (no_grad())
            foreach (var (key, value) in without.Network.state_dict()) with.Network.state_dict()[key].copy_(value);
        with.Network.eval();
        without.Network.eval();
        using var scope = NewDisposeScope();
        var image = randn(2, 3, 32, 32);
        var a = with.Network.call(image);
        var b = without.Network.call(image);
        foreach (var task in TaskNames) Assert.True(a[task].allclose(b[task], 0, 1e-6), task);
    }

    [Fact]
    public void TaskSqueeze_GivesEachTaskItsOwnGates_SharedSqueezeTheSame()
    {
        using var model = Builder(Architectures.Astmt(adversarial: false)).Build();
        var astmt = (AstmtModule)model.Network;
        using var scope = NewDisposeScope();
        var image = randn(2, 3, 32, 32);
        // Perturb the per-task SE weights so that the tasks differ, as after training.
        using (no_grad())
            foreach (var (name, p) in model.Network.named_parameters().Where(p => p.name.Contains(".se.fc.", StringComparison.Ordinal)))
                p.add_(randn_like(p) * 0.5);
        var semseg = astmt.SqueezeActivations(image, "semseg");
        var depth = astmt.SqueezeActivations(image, "depth");
        Assert.Equal(semseg.Select(s => s.Layer), depth.Select(s => s.Layer));
        Assert.All(semseg, s => Assert.Equal(2, s.Gate.shape[0]));
        Assert.False(semseg[0].Gate.allclose(depth[0].Gate));

        using var shared = Builder(Architectures.AstmtTable3["astmt-baseline"]).Build();
        var baseline = (AstmtModule)shared.Network;
        var first = baseline.SqueezeActivations(image, "semseg");
        var second = baseline.SqueezeActivations(image, "depth");
        Assert.NotEmpty(first);
        // Without task SE the encoder's gates depend on the task only through per-task batch norm statistics, which are
        // equal at initialisation: the same gates.
        Assert.All(first.Zip(second), p => Assert.True(p.First.Gate.allclose(p.Second.Gate, 0, 1e-6), p.First.Layer));
    }

    [Fact]
    public void TaskActivations_EmbedEquallySpacedDepths_AndMeasureHowTaskSpecificTheyAre()
    {
        using var model = Builder(Architectures.Astmt(adversarial: false)).Build();
        using var scope = NewDisposeScope();
        var embedding = MtlNotebooks.Analysis.TaskActivations.Embed((AstmtModule)model.Network, randn(6, 3, 32, 32), depths: 4);
        Assert.Equal(4 * 3 * 6, embedding.Points.Rows.Count);
        var layers = embedding.Separation.Columns["layer"].Cast<string>().ToArray();
        Assert.Equal("layer1.0.se", layers[0]);
        Assert.Equal("decoder.conv_process.se", layers[^1]);
        var purity = embedding.Separation.Columns["same-task nearest neighbour"].Cast<double?>().Select(v => v!.Value).ToArray();
        Assert.All(purity, p => Assert.InRange(p, 0, 1));
        // Each task's own SE weights (independently initialised) give gates that are nearer to the same task's.
        Assert.Equal(1.0, purity[^1]);
        Assert.NotNull(MtlNotebooks.Analysis.TaskActivations.Chart(embedding));
    }

    [Fact]
    public void TaskBatchNorm_KeepsSeparateRunningStatistics()
    {
        using var model = Builder(Architectures.AstmtTable3["astmt-baseline"]).Build();
        model.Network.train();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            model.Network.Forward(randn(2, 3, 32, 32) + 3, ["semseg"]);
            model.Network.Forward(randn(2, 3, 32, 32) - 3, ["depth"]);
        }
        var state = model.Network.state_dict();
        var semseg = state["layer1.0.bn1.semseg.running_mean"];
        var depth = state["layer1.0.bn1.depth.running_mean"];
        var normals = state["layer1.0.bn1.normals.running_mean"];
        Assert.False(semseg.allclose(depth));
        Assert.Equal(0f, normals.abs().max().item<float>());   // never run: still the initial statistics
        Assert.Equal(1f, state["layer1.0.bn1.normals.running_var"].min().item<float>());
        Assert.DoesNotContain(state.Keys, k => k.StartsWith("bn1.semseg", StringComparison.Ordinal));   // the stem stays shared
    }

    [Fact]
    public void ParameterGroups_TaskSpecificAtTTimesAndDiscriminatorAtTen()
    {
        using var model = Builder(Architectures.Astmt()).Build();
        var groups = model.Network.ParameterGroups();
        Assert.Equal([("shared", 1.0), ("task-specific", 3.0), ("discriminator", 10.0)], groups.Select(g => (g.Name, g.LearningRateScale)));
        Assert.Equal(model.Network.parameters().Count(), groups.Sum(g => g.Parameters.Count));
        var names = model.Network.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        Assert.All(groups[1].Parameters, p => Assert.Contains(names[p.Handle].Split('.'), s => TaskNames.Contains(s)));
        using var optimizer = Optimizers.Sgd(0.002).Create(Trainer.ParameterGroups(model));
        Assert.Equal([0.002, 0.006, 0.02], optimizer.ParamGroups.Select(g => Math.Round(g.LearningRate, 6)));
    }

    [Theory]
    [InlineData("gradnorm")]
    [InlineData("mgda-ub")]
    [InlineData("pcgrad")]
    [InlineData("rlw")]
    public void Build_BalancerThatNeedsEveryTaskInOneStep_IsRejectedNamingThoseThatApply(string balancer)
    {
        var error = Assert.Throws<BuildException>(() => Builder(Architectures.Astmt()).UseBalancer(Balancers.All[balancer]).Build());
        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"UseBalancer({Balancers.All[balancer].Name})", problem);
        Assert.Contains("one task per optimiser step", problem);
        Assert.Contains("uniform", problem);
        Assert.Contains("uncertainty", problem);
        // Stepping all tasks together lifts the restriction.
        using var joint = Builder(Architectures.Astmt(stepPerTask: false)).UseBalancer(Balancers.All[balancer]).Build();
    }

    [Theory]
    [InlineData("uniform")]
    [InlineData("uncertainty")]
    [InlineData("dwa")]
    [InlineData("dtp")]
    public void Fit_SeparableBalancer_TrainsOneTaskPerStep(string balancer)
    {
        using var model = Builder(Architectures.Astmt()).UseBalancer(Balancers.All[balancer]).Build();
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 4, 32, 32, seed: 3);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 2, 32, 32, seed: 3);
        var history = Trainer.Fit(model, train, validation, new TrainingOptions { Epochs = 3, BatchSize = 2, Optimizer = Optimizers.Sgd(0.005) });
        Assert.All(history.Steps, s => Assert.Equal(TaskNames, s.TaskLosses.Keys));
        Assert.All(history.Steps, s => Assert.Equal(TaskNames, s.Weights.Keys));
        Assert.All(history.Steps, s => Assert.True(double.IsFinite(s.TotalLoss)));
        Assert.All(history.Steps, s => Assert.InRange(s.Diagnostics!["discriminator accuracy"], 0, 1));
    }

    /// <summary>Three optimiser groups, one step per task, SGD momentum and the discriminator's logged values: a run resumed
    /// from its first epoch's checkpoint continues exactly as the uninterrupted run.</summary>
    [Fact]
    public void Fit_ResumedFromCheckpoint_EqualsUninterruptedRun()
    {
        using var train = SyntheticDataset.Create(SyntheticSplit.Train, 4, 32, 32, seed: 3);
        using var validation = SyntheticDataset.Create(SyntheticSplit.Validation, 2, 32, 32, seed: 3);
        var folder = Directory.CreateTempSubdirectory("astmt-resume-").FullName;
        try
        {
            var checkpoint = Path.Combine(folder, "astmt.ckpt");
            var options = new TrainingOptions { Epochs = 2, BatchSize = 2, Seed = 5, Optimizer = Optimizers.Sgd(0.01) };
            using var uninterrupted = Builder(Architectures.Astmt()).Build();
            var full = Trainer.Fit(uninterrupted, train, validation, options);
            using (var first = Builder(Architectures.Astmt()).Build())
            {
                // Interrupted in the second epoch, after the first epoch's checkpoint was written.
                var crash = new Crash(p => p.Step == 3);
                Assert.Throws<OperationCanceledException>(() =>
                    Trainer.Fit(first, train, validation, options with { CheckpointPath = checkpoint, Progress = crash }));
            }
            Assert.Equal(1, Checkpoint.ReadInfo(checkpoint).CompletedEpochs);
            using var resumed = Builder(Architectures.Astmt()).WithSeed(99).Build();
            var continued = Trainer.Fit(resumed, train, validation, options with { ResumeFrom = checkpoint });
            Assert.Equal(full.Steps.Select(s => s.TotalLoss), continued.Steps.Select(s => s.TotalLoss));
            Assert.Equal(full.Steps.Select(s => s.Diagnostics!["discriminator accuracy"]), continued.Steps.Select(s => s.Diagnostics!["discriminator accuracy"]));
            Assert.Equal(full.Final.Metrics.Select(m => m.Value), continued.Final.Metrics.Select(m => m.Value));
            foreach (var (name, value) in uninterrupted.Network.state_dict())
                Assert.True(value.eq(resumed.Network.state_dict()[name]).all().item<bool>(), $"{name} differs after resuming");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class Crash(Func<TrainingProgress, bool> when) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (when(value)) throw new OperationCanceledException("power cut");
        }
    }

    [Fact]
    public void Build_BackboneAstmtCannotUse_SaysWhyAndWhatToUse()
    {
        var problems = Assert.Throws<BuildException>(() => Builder(Architectures.Astmt(), Backbones.SmallResNet(4)).Build()).Problems;
        Assert.Contains(problems, p => p.Contains("SE-ResNet", StringComparison.Ordinal) && p.Contains("Backbones.SEResNet26()", StringComparison.Ordinal));
        problems = Assert.Throws<BuildException>(() => Builder(Architectures.Astmt(), Backbones.ResNet50(0.125)).Build()).Problems;
        Assert.Contains(problems, p => p.Contains("output stride 16 or 8", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("has none", StringComparison.Ordinal));
        problems = Assert.Throws<BuildException>(() => Builder(Architectures.Astmt(discriminatorWeight: 1.5), Backbones.MobileNetV2(0.5)).Build()).Problems;
        Assert.Contains(problems, p => p.Contains("no residual adapters", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("[0, 1)", StringComparison.Ordinal));
    }

    [Fact]
    public void MobileNetVariant_TrainsAStepPerTask()
    {
        using var model = Builder(Architectures.Astmt(adapters: false, decoderWidth: 32), Backbones.MobileNetV2(0.5)).Build();
        var (images, labels) = Batch();
        using var optimizer = Optimizers.Sgd(0.01).Create(Trainer.ParameterGroups(model));
        var losses = new Dictionary<string, double>();
        var diagnostics = new Dictionary<string, double>();
        var step = new TrainingStep(model, optimizer);
        foreach (var result in model.Network.TrainingPasses().Select(pass => step.Pass(pass, images, labels, new StepContext([], 0, 0))))
        {
            foreach (var (task, loss) in result.TaskLosses) losses[task] = loss;
            foreach (var (name, value) in result.Diagnostics) diagnostics[name] = value;
        }
        Assert.Equal(TaskNames, losses.Keys);
        Assert.Contains("discriminator accuracy", diagnostics.Keys);
    }
}
