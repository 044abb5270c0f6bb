using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Runtime;
using MtlNotebooks.Tasks.Metrics;
using MtlNotebooks.Training;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Training;

[Collection("Torch")]
public sealed class TrainerTests : IDisposable
{
    private readonly SyntheticDataset _train = SyntheticDataset.Create(SyntheticSplit.Train, 32, 32, 32, seed: 1);
    private readonly SyntheticDataset _validation = SyntheticDataset.Create(SyntheticSplit.Validation, 8, 32, 32, seed: 1);
    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-trainer-").FullName;

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static MultiTaskNetBuilder Builder() => MultiTaskNet.CreateBuilder()
        .UseBackbone(Backbones.SmallResNet(4))
        .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount))
        .AddTask(DenseTasks.Depth())
        .AddTask(DenseTasks.SurfaceNormals())
        .WithSeed(7);

    private static TrainingOptions Options(int epochs) => new() { Epochs = epochs, BatchSize = 8, Seed = 2, Optimizer = Optimizers.Sgd(0.02) };

    private static float[] Flatten(MultiTaskModel model) =>
        model.Network.state_dict().Values.SelectMany(t => t.to(ScalarType.Float32).flatten().data<float>().ToArray()).ToArray();

    [Fact]
    public void Fit_SameSeed_GivesIdenticalLossesAndMetrics()
    {
        using var a = Builder().Build();
        using var b = Builder().Build();
        var ha = Trainer.Fit(a, _train, _validation, Options(2));
        var hb = Trainer.Fit(b, _train, _validation, Options(2));
        Assert.Equal(8, ha.Steps.Count);
        Assert.Equal(ha.Steps.Select(s => s.TotalLoss), hb.Steps.Select(s => s.TotalLoss));
        Assert.Equal(ha.Final.Metrics.Select(m => m.Value), hb.Final.Metrics.Select(m => m.Value));
        Assert.Equal(Flatten(a), Flatten(b));
    }

    [Fact]
    public void Fit_ReducesTheLoss()
    {
        using var model = Builder().Build();
        var history = Trainer.Fit(model, _train, _validation, Options(6) with { Optimizer = Optimizers.Adam(3e-3) });
        double first = history.Steps.Take(4).Average(s => s.TotalLoss);
        double last = history.Steps.TakeLast(4).Average(s => s.TotalLoss);
        Assert.True(last < 0.8 * first, $"loss went from {first:0.000} to {last:0.000}");
    }

    [Fact]
    public void Fit_ResumedFromCheckpoint_EqualsUninterruptedRun()
    {
        var checkpoint = Path.Combine(_folder, "run.ckpt");
        using var uninterrupted = Builder().Build();
        var full = Trainer.Fit(uninterrupted, _train, _validation, Options(3));

        using (var first = Builder().Build())
        {
            // Interrupted in the second epoch, after the first epoch's checkpoint was written.
            var crash = new Recorder(p => { if (p.Step == 6) throw new OperationCanceledException("power cut"); });
            Assert.Throws<OperationCanceledException>(() =>
                Trainer.Fit(first, _train, _validation, Options(3) with { CheckpointPath = checkpoint, Progress = crash }));
        }
        Assert.Equal(1, Checkpoint.ReadInfo(checkpoint).CompletedEpochs);

        using var resumed = Builder().WithSeed(99).Build(); // different initialisation: everything must come from the checkpoint
        var continued = Trainer.Fit(resumed, _train, _validation, Options(3) with { ResumeFrom = checkpoint });

        Assert.Equal(full.Steps.Select(s => s.TotalLoss), continued.Steps.Select(s => s.TotalLoss));
        Assert.Equal(full.Steps.Select(s => s.LearningRate), continued.Steps.Select(s => s.LearningRate));
        Assert.Equal(full.Final.Metrics.Select(m => m.Value), continued.Final.Metrics.Select(m => m.Value));
        Assert.Equal(Flatten(uninterrupted), Flatten(resumed));
    }

    private string TrainedCheckpoint()
    {
        var path = Path.Combine(_folder, "good.ckpt");
        using var model = Builder().Build();
        Trainer.Fit(model, _train, _validation, Options(1) with { CheckpointPath = path });
        return path;
    }

    [Fact]
    public void Load_TruncatedCheckpoint_ThrowsNamingFileAndSizes()
    {
        var path = TrainedCheckpoint();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        using var model = Builder().Build();
        var error = Assert.Throws<CheckpointException>(() => Trainer.Fit(model, _train, _validation, Options(2) with { ResumeFrom = path }));
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Load_CorruptCheckpoint_ThrowsChecksumError()
    {
        var path = TrainedCheckpoint();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        using var model = Builder().Build();
        var error = Assert.Throws<CheckpointException>(() => Trainer.Fit(model, _train, _validation, Options(2) with { ResumeFrom = path }));
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void Load_NotACheckpoint_And_Missing_ThrowClearly()
    {
        var text = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(text, "hello");
        using var model = Builder().Build();
        Assert.Contains("is not an MtlNotebooks checkpoint",
            Assert.Throws<CheckpointException>(() => Trainer.Fit(model, _train, _validation, Options(2) with { ResumeFrom = text })).Message);
        Assert.Contains("does not exist",
            Assert.Throws<CheckpointException>(() => Trainer.Fit(model, _train, _validation, Options(2) with { ResumeFrom = Path.Combine(_folder, "none.ckpt") })).Message);
    }

    [Fact]
    public void Resume_WithOtherEpochsOrBatch_IsRefused()
    {
        var path = TrainedCheckpoint();
        using var model = Builder().Build();
        var error = Assert.Throws<CheckpointException>(() => Trainer.Fit(model, _train, _validation, Options(5) with { ResumeFrom = path }));
        Assert.Contains("1 epochs, batch 8", error.Message);
        Assert.Contains("5 epochs", error.Message);
    }

    [Fact]
    public void Load_CheckpointOfAnotherModel_NamesTheDifference()
    {
        var path = TrainedCheckpoint();
        using var other = Builder().UseArchitecture(Architectures.SingleTask()).Build();
        var error = Assert.Throws<CheckpointException>(() => Trainer.Fit(other, _train, _validation, Options(2) with { ResumeFrom = path }));
        Assert.Contains("different model", error.Message);
        Assert.Contains("HardSharing", error.Message);
    }

    [Fact]
    public void Load_CheckpointOfAnotherBalancer_SaysSo()
    {
        var path = TrainedCheckpoint();
        using var other = Builder().UseBalancer(Balancers.Dwa()).Build();
        var error = Assert.Throws<CheckpointException>(() => Trainer.Fit(other, _train, _validation, Options(1) with { ResumeFrom = path }));
        Assert.Contains("balancer 'Fixed (uniform)'", error.Message);
        Assert.Contains("DWA", error.Message);
    }

    [Fact]
    public void Load_CorruptLengthField_SaysCorruptNotAHugeSize()
    {
        var path = TrainedCheckpoint();
        var bytes = File.ReadAllBytes(path);
        bytes[8 + 5] = 0x7F;   // the payload length (bytes 8..15) now claims about 140 TB
        File.WriteAllBytes(path, bytes);
        using var model = Builder().Build();
        var error = Assert.Throws<CheckpointException>(() => Trainer.Fit(model, _train, _validation, Options(1) with { ResumeFrom = path }));
        Assert.Contains("is corrupt: its length field", error.Message);
        Assert.DoesNotContain("truncated", error.Message);
    }

    [Fact]
    public void Save_CrashWhileWriting_KeepsThePreviousCheckpoint()
    {
        var path = TrainedCheckpoint();
        var before = File.ReadAllBytes(path);
        Assert.ThrowsAny<Exception>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(before.AsSpan(0, 100));
            throw new IOException("disk full");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_folder));
    }

    private sealed record ExplodingDepth(string Name = "depth") : IDenseTask
    {
        public int OutputChannels => 1;
        public ITaskLoss Loss => new NanLoss();
        public IReadOnlyList<ITaskMetric> Metrics => [new Rmse()];
        public Tensor Activate(Tensor output) => output;

        private sealed record NanLoss : ITaskLoss
        {
            public string Name => "NaN";
            public Tensor Compute(Tensor output, Tensor label) => output.mean() * float.NaN;
        }
    }

    [Fact]
    public void Fit_NaNLoss_StopsNamingTheTask()
    {
        using var model = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(4))
            .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount)).AddTask(new ExplodingDepth()).Build();
        var error = Assert.Throws<TrainingDivergedException>(() => Trainer.Fit(model, _train, _validation, Options(1)));
        Assert.Contains("task 'depth'", error.Message);
        Assert.Contains("step 1", error.Message);
    }

    /// <summary>MTI-Net outputs only its main tasks finally, but its auxiliary task's initial predictions are trained too.</summary>
    [Fact]
    public void Fit_AuxiliaryTask_IsTrainedInEveryStep()
    {
        using var model = MultiTaskNet.CreateBuilder().UseBackbone(Backbones.SmallResNet(4))
            .AddTask(DenseTasks.SemanticSegmentation(SyntheticScenes.SemanticClassCount)).AddTask(DenseTasks.Depth())
            .AddAuxiliaryTask(DenseTasks.SurfaceNormals()).UseArchitecture(Architectures.MtiNet()).WithSeed(7).Build();
        var history = Trainer.Fit(model, _train, _validation, Options(1));
        Assert.All(history.Steps, s => Assert.Equal(["semseg", "depth", "normals"], s.TaskLosses.Keys));
    }

    [Fact]
    public void Fit_TaskWithoutLabels_FailsBeforeTraining()
    {
        using var model = Builder().AddAuxiliaryTask(new MtlNotebooks.Tasks.Depth("stereo")).Build();
        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, _train, _validation, Options(1)));
        Assert.Contains("no labels for task 'stereo'", error.Message);
    }

    [Fact]
    public void Fit_WithoutProgressOfItsOwn_ReportsToTheAmbientOne()
    {
        using var model = Builder().Build();
        var names = new List<string>();
        var reports = new List<TrainingProgress>();
        using (AmbientProgress.Use(name => { names.Add(name); return new Recorder(reports.Add); }))
        {
            Trainer.Fit(model, _train, _validation, Options(2) with { RunName = "ambient" });
            var own = new List<TrainingProgress>();
            Trainer.Fit(model, _train, _validation, Options(1) with { RunName = "own", Progress = new Recorder(own.Add) });
            Assert.Equal(4, own.Count);
        }
        Assert.Null(AmbientProgress.Current);
        Assert.Equal(["ambient"], names);
        Assert.Equal(8, reports.Count);
        Assert.True(reports[^1].IsLast);
        Assert.Matches(@"^ambient: epoch 2/2, step 8/8, loss \d+\.\d{3} \(semseg \d+\.\d{3}, depth \d+\.\d{3}, normals \d+\.\d{3}\), elapsed \d+:\d\d, done$", reports[^1].ToString());
        Assert.Matches(@"^ambient: epoch 1/2, step 1/8, loss \d+\.\d{3} \(semseg \d+\.\d{3}, depth \d+\.\d{3}, normals \d+\.\d{3}\), elapsed \d+:\d\d, ETA \d+:\d\d$", reports[0].ToString());
        Assert.Equal(["semseg", "depth", "normals"], reports[^1].TaskLosses!.Keys);
    }

    [Fact]
    public void Progress_ShowsEachTasksLoss_OnlyWhenThereAreSeveral()
    {
        var progress = new TrainingProgress("run", 1, 2, 3, 8, 0.5, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5))
        {
            TaskLosses = new Dictionary<string, double> { ["semseg"] = 0.3254, ["depth"] = 0.1746 },
        };
        Assert.Equal("run: epoch 1/2, step 3/8, loss 0.500 (semseg 0.325, depth 0.175), elapsed 0:03, ETA 0:05", progress.ToString());
        Assert.Equal("run: epoch 1/2, step 3/8, loss 0.500, elapsed 0:03, ETA 0:05",
            (progress with { TaskLosses = new Dictionary<string, double> { ["semseg"] = 0.5 } }).ToString());
    }

    [Fact]
    public void Fit_ManySteps_KeepsNativeMemoryFlat()
    {
        using var model = Builder().Build();
        var settled = new List<double>();
        int steps = 0;
        // Measured settled (after a collection and malloc_trim), so allocator caches that grow once do not read as a leak.
        var progress = new Recorder(_ =>
        {
            if (++steps is 21 or 160) settled.Add(ResidentMemory.SettledMiB());
        });
        Trainer.Fit(model, _train, _validation, Options(40) with { Progress = progress });
        Assert.Equal(160, steps);
        // A leak of one 8x3x32x32 batch per step (images and labels, about 0.4 MB) would add about 55 MB.
        double growthMiB = settled[1] - settled[0];
        Assert.True(growthMiB < 24, $"settled resident memory grew by {growthMiB:0.0} MiB over 139 steps");
    }

    [Fact]
    public void Fit_ManySteps_LeavesNoTensorAlive()
    {
        // Resident memory also moves with the allocators' caches; the count of live tensors does not: every step's
        // tensors must be freed by the step's dispose scope, so the count is the same after step 21 and after step 160.
        using var model = Builder().Build();
        var live = new List<long>();
        var progress = new Recorder(_ => live.Add(Tensor.TotalCount));
        Trainer.Fit(model, _train, _validation, Options(40) with { Progress = progress });
        Assert.Equal(160, live.Count);
        Assert.True(live[^1] <= live[20], $"live tensors went from {live[20]} after step 21 to {live[^1]} after step 160");
    }

    private sealed class Recorder(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }
}
