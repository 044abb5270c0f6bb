using MtlNotebooks.Runtime;
using System.Diagnostics;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>One call of <see cref="Trainer.Fit"/>: the model, data and options it was given, the optimiser it created
/// (and disposes) and what it has recorded so far. <see cref="Train"/> runs the named steps: resume, then per epoch
/// the epoch's steps under the schedule, the evaluation and the checkpoint.</summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly MultiTaskModel _model;
    private readonly IMultiTaskDataset _train;
    private readonly IMultiTaskDataset _validation;
    private readonly TrainingOptions _options;
    private readonly IReadOnlyList<ParameterGroup> _groups;
    private readonly OptimizerHelper _optimizer;
    private readonly TrainingStep _step;
    private readonly string[] _taskNames;
    private readonly int _stepsPerEpoch;
    private readonly long _totalSteps;
    private readonly List<StepRecord> _steps = [];
    private readonly List<EvaluationRecord> _evaluations = [];
    private readonly Dictionary<string, string> _warnings = [];
    private readonly Stopwatch _clock = new();
    private readonly IProgress<TrainingProgress>? _progress;
    private long _stepsThisSession;

    /// <summary>Expects options and data that <see cref="Trainer.Problems"/> finds nothing wrong with.</summary>
    public TrainingRun(MultiTaskModel model, IMultiTaskDataset train, IMultiTaskDataset validation, TrainingOptions options)
    {
        _model = model;
        _train = train;
        _validation = validation;
        _options = options;
        _stepsPerEpoch = train.Count / options.BatchSize;
        _totalSteps = (long)_stepsPerEpoch * options.Epochs;
        _groups = Trainer.ParameterGroups(model);
        _optimizer = options.Optimizer.Create(_groups);
        _step = new TrainingStep(model, _optimizer, options.Profile);
        _taskNames = model.AllTasks.Select(t => t.Name).ToArray();
        _progress = AmbientProgress.For(options);
    }

    public TrainingHistory Train()
    {
        int firstEpoch = Resume();
        // Resolved after the checkpoint is loaded, as the uninterrupted run resolves them before its first step.
        var context = new StepContext(_model.Network.SharedParameters(), 0, 0)
        {
            LastSharedParameters = _model.Network.LastSharedParameters(),
            Epochs = _options.Epochs,
        };
        _clock.Start();
        for (int epoch = firstEpoch; epoch < _options.Epochs; epoch++)
        {
            var meanLosses = RunEpoch(epoch, context);
            TrainingCancellation.ThrowIfRequested(_options);
            Evaluate(epoch);
            _model.Balancer.OnEpochEnd(new EpochSummary(epoch + 1, meanLosses));
            SaveCheckpoint(epoch + 1);
        }
        return new TrainingHistory(_options.RunName, _steps, _evaluations, _clock.Elapsed) { Warnings = _warnings.Values.ToArray() };
    }

    public void Dispose() => _optimizer.Dispose();

    /// <summary>Restores model, optimiser, balancer and history from <see cref="TrainingOptions.ResumeFrom"/>, if set;
    /// returns the first epoch left to train.</summary>
    private int Resume()
    {
        if (_options.ResumeFrom is not { } path) return 0;
        var info = Checkpoint.Load(path, _model, _optimizer);
        // The schedule and the data order depend on these; resuming with others would not continue the same run.
        if (info.Epochs != _options.Epochs || info.BatchSize != _options.BatchSize || info.Seed != _options.Seed)
            throw new CheckpointException(path,
                $"was written by a run of {info.Epochs} epochs, batch {info.BatchSize}, seed {info.Seed}; these options ask for " +
                $"{_options.Epochs} epochs, batch {_options.BatchSize}, seed {_options.Seed}. Resume with the same settings.");
        _steps.AddRange(info.Steps);
        _evaluations.AddRange(info.Evaluations);
        return info.CompletedEpochs;
    }

    /// <summary>Trains one epoch in its data order; returns the mean unweighted loss per task. <paramref name="context"/>
    /// carries what every step's context shares (parameters, epochs).</summary>
    private Dictionary<string, double> RunEpoch(int epoch, StepContext context)
    {
        _model.Network.train();
        // Dropout (DeepLab's ASPP) draws from libtorch's global generator: seeding it per epoch from (seed, epoch)
        // makes a resumed epoch draw exactly what the uninterrupted run drew, as the data order does.
        manual_seed((long)(SplitMix64.Mix((ulong)(uint)_options.Seed * 0x9E3779B97F4A7C15UL + (ulong)epoch) >> 1));
        var order = DataOrder.Permutation(_train.Count, _options.Seed, epoch);
        var meanLosses = _taskNames.ToDictionary(t => t, _ => 0.0);
        for (int i = 0; i < _stepsPerEpoch; i++)
        {
            TrainingCancellation.ThrowIfRequested(_options);
            long step = (long)epoch * _stepsPerEpoch + i;
            double lr = Schedule(step);
            var record = _step.Run(_train, order.AsSpan(i * _options.BatchSize, _options.BatchSize).ToArray(),
                context with { Epoch = epoch, Step = step }, lr);
            Record(record);
            foreach (var (task, loss) in record.TaskLosses) meanLosses[task] += loss / _stepsPerEpoch;
            ReportProgress(record, epoch, step);
        }
        return meanLosses;
    }

    /// <summary>Sets every group's rate for <paramref name="step"/> under the poly schedule, scaled per group; returns
    /// the unscaled rate.</summary>
    private double Schedule(long step)
    {
        double lr = Optimizers.PolyLearningRate(_options.Optimizer.LearningRate, step, _totalSteps, _options.PolyPower);
        foreach (var (group, spec) in _optimizer.ParamGroups.Zip(_groups)) group.LearningRate = lr * spec.LearningRateScale;
        return lr;
    }

    private void Record(StepRecord record)
    {
        _options.Profile?.CountStep();
        _steps.Add(record);
        Diverged("loss", _options.Divergence.LossProblem(_steps[0], record));
    }

    private void ReportProgress(StepRecord record, int epoch, long step)
    {
        _stepsThisSession++;
        var elapsed = _clock.Elapsed;
        _progress?.Report(new TrainingProgress(_options.RunName, epoch + 1, _options.Epochs, step + 1, _totalSteps,
            record.TotalLoss, elapsed, elapsed / _stepsThisSession * (_totalSteps - step - 1)) { TaskLosses = record.TaskLosses });
    }

    /// <summary>Evaluates on the validation data after <paramref name="epoch"/> and tells the balancer.</summary>
    private void Evaluate(int epoch)
    {
        TrainingCancellation.ThrowIfRequested(_options);
        long step = (long)(epoch + 1) * _stepsPerEpoch;
        var evaluation = StepProfile.Measure(_options.Profile, StepProfile.Evaluation,
            () => Trainer.Evaluate(_model, _validation, _options.EvaluationBatchSize, epoch + 1, step));
        _evaluations.Add(evaluation);
        Diverged("metric", _options.Divergence.MetricProblem(evaluation, _steps[^1].LearningRate));
        _model.Balancer.OnEvaluation(evaluation);
    }

    private void SaveCheckpoint(int completedEpochs)
    {
        if (_options.CheckpointPath is not { } path) return;
        Checkpoint.Save(path, _model, _optimizer, new CheckpointInfo(
            _model.Plan.Architecture.Name, _model.Plan.Backbone!.Name, _taskNames, _model.Plan.Balancer.Name,
            _model.Network.ParameterCount(), _options.Epochs, _options.BatchSize, _options.Seed,
            completedEpochs, (long)completedEpochs * _stepsPerEpoch, _steps, _evaluations));
    }

    /// <summary>Stops the run on <paramref name="problem"/>, or under <see cref="DivergenceGuard.Warn"/> records the first of each kind.</summary>
    private void Diverged(string kind, string? problem)
    {
        if (problem is null) return;
        if (!_options.Divergence.WarnOnly) throw new TrainingDivergedException(problem);
        _warnings.TryAdd(kind, problem);
    }
}
