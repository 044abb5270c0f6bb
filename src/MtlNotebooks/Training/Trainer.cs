using System.Diagnostics;
using System.Runtime.InteropServices;
using MtlNotebooks.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>Trains and evaluates a <see cref="MultiTaskModel"/>. The trainer knows no architecture and no balancer:
/// it computes per-task losses, hands them to the balancer (which runs the backward pass) and steps the optimiser.</summary>
public static class Trainer
{
    public static TrainingHistory Fit(MultiTaskModel model, IMultiTaskDataset train, IMultiTaskDataset validation, TrainingOptions options)
    {
        var problems = Problems(train, options).ToList();
        problems.AddRange(MissingLabels(model, train));
        problems.AddRange(MissingLabels(model, validation, mainOnly: true));
        ThrowIfAny(problems);
        int stepsPerEpoch = train.Count / options.BatchSize;

        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        var parameters = model.Network.parameters().Concat(model.Balancer.parameters()).ToList();
        using var optimizer = options.Optimizer.Create(parameters);
        var steps = new List<StepRecord>();
        var evaluations = new List<EvaluationRecord>();
        int startEpoch = 0;
        if (options.ResumeFrom is not null)
        {
            var info = Checkpoint.Load(options.ResumeFrom, model, optimizer);
            // The schedule and the data order depend on these; resuming with others would not continue the same run.
            if (info.Epochs != options.Epochs || info.BatchSize != options.BatchSize || info.Seed != options.Seed)
                throw new CheckpointException(options.ResumeFrom,
                    $"was written by a run of {info.Epochs} epochs, batch {info.BatchSize}, seed {info.Seed}; these options ask for " +
                    $"{options.Epochs} epochs, batch {options.BatchSize}, seed {options.Seed}. Resume with the same settings.");
            startEpoch = info.CompletedEpochs;
            steps.AddRange(info.Steps);
            evaluations.AddRange(info.Evaluations);
        }

        var shared = model.Network.SharedParameters();
        var lastShared = model.Network.LastSharedParameters();
        var taskNames = model.AllTasks.Select(t => t.Name).ToArray();
        var clock = Stopwatch.StartNew();
        long stepsThisSession = 0;
        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            model.Network.train();
            // Dropout (DeepLab's ASPP) draws from libtorch's global generator: seeding it per epoch from (seed, epoch)
            // makes a resumed epoch draw exactly what the uninterrupted run drew, as the data order does.
            manual_seed((long)(SplitMix64.Mix((ulong)(uint)options.Seed * 0x9E3779B97F4A7C15UL + (ulong)epoch) >> 1));
            var order = DataOrder.Permutation(train.Count, options.Seed, epoch);
            var epochLosses = taskNames.ToDictionary(t => t, _ => 0.0);
            for (int i = 0; i < stepsPerEpoch; i++)
            {
                long step = (long)epoch * stepsPerEpoch + i;
                double lr = Optimizers.PolyLearningRate(options.Optimizer.LearningRate, step, totalSteps, options.PolyPower);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;

                var record = TrainStep(model, optimizer, train, order.AsSpan(i * options.BatchSize, options.BatchSize).ToArray(),
                    new StepContext(shared, epoch, step) { LastSharedParameters = lastShared }, lr);
                steps.Add(record);
                foreach (var (task, loss) in record.TaskLosses) epochLosses[task] += loss / stepsPerEpoch;

                stepsThisSession++;
                var elapsed = clock.Elapsed;
                options.Progress?.Report(new TrainingProgress(options.RunName, epoch + 1, options.Epochs, step + 1, totalSteps,
                    record.TotalLoss, elapsed, elapsed / stepsThisSession * (totalSteps - step - 1)));
            }

            evaluations.Add(Evaluate(model, validation, options.EvaluationBatchSize, epoch + 1, (long)(epoch + 1) * stepsPerEpoch));
            model.Balancer.OnEvaluation(evaluations[^1]);
            model.Balancer.OnEpochEnd(new EpochSummary(epoch + 1, epochLosses));
            if (options.CheckpointPath is not null)
            {
                Checkpoint.Save(options.CheckpointPath, model, optimizer, new CheckpointInfo(
                    model.Plan.Architecture.Name, model.Plan.Backbone!.Name, taskNames, model.Plan.Balancer.Name,
                    model.Network.ParameterCount(), options.Epochs, options.BatchSize, options.Seed,
                    epoch + 1, (long)(epoch + 1) * stepsPerEpoch, steps, evaluations));
            }
        }
        return new TrainingHistory(options.RunName, steps, evaluations, clock.Elapsed);
    }

    /// <summary>What keeps <paramref name="options"/> from training on <paramref name="train"/>, whatever the model: the
    /// options' own checks and a data set smaller than one batch. Callers that must refuse before other work (the quick
    /// experiment, before it commits its run folder) ask here rather than at <see cref="Fit"/>.</summary>
    public static IEnumerable<string> Problems(IMultiTaskDataset train, TrainingOptions options)
    {
        foreach (var problem in options.Validate()) yield return problem;
        if (options.BatchSize > 0 && train.Count < options.BatchSize)
            yield return $"Data set '{train.Name}' has {train.Count} samples, fewer than one batch of {options.BatchSize}.";
    }

    /// <summary>Every problem in one exception, as the builder reports them.</summary>
    public static void ThrowIfAny(IReadOnlyCollection<string> problems)
    {
        if (problems.Count > 0)
            throw new ArgumentException("Training cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
    }

    private static StepRecord TrainStep(MultiTaskModel model, OptimizerHelper optimizer, IMultiTaskDataset train, int[] indices, StepContext context, double lr)
    {
        // Everything a step allocates dies with this scope: native memory stays flat over training.
        using var scope = NewDisposeScope();
        var batch = train.GetBatch(indices);
        var images = batch.Images.to(model.Device);
        var labels = new TaskLabels(batch.Labels.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.to(model.Device))));
        optimizer.zero_grad();
        TaskOutputs outputs;
        try
        {
            outputs = model.Network.call(images);
        }
        catch (ExternalException ex)
        {
            throw new InvalidOperationException(
                $"{model.Plan.Architecture.Name} forward pass failed on a batch of shape [{string.Join(", ", images.shape)}] from '{train.Name}': {ex.Message.Split('\n')[0]}", ex);
        }
        var losses = model.ComputeLosses(outputs, labels);
        var values = losses.Stack().detach().cpu().to(ScalarType.Float64).data<double>().ToArray();
        var taskLosses = losses.Tasks.Select((t, k) => (t, values[k])).ToDictionary(x => x.t, x => x.Item2);
        foreach (var (task, value) in taskLosses.Where(kv => !double.IsFinite(kv.Value)))
            throw new TrainingDivergedException(
                $"The loss of task '{task}' became {value} at epoch {context.Epoch + 1}, step {context.Step + 1} (learning rate {lr:g3}). " +
                "Lower the learning rate, check that task's labels, or reduce its loss weight.");
        var result = model.Balancer.Backward(losses, context);
        optimizer.step();
        return new StepRecord(context.Epoch + 1, context.Step + 1, result.TotalLoss, taskLosses, result.Weights, lr)
        {
            GradientNorms = result.GradientNorms,
        };
    }

    /// <summary>All metrics of every main task over <paramref name="data"/>, in evaluation mode without gradients.</summary>
    public static EvaluationRecord Evaluate(MultiTaskModel model, IMultiTaskDataset data, int batchSize = 32, int epoch = 0, long step = 0)
    {
        var missing = MissingLabels(model, data, mainOnly: true).ToList();
        if (missing.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, missing));
        bool wasTraining = model.Network.training;
        model.Network.eval();
        var accumulators = model.Tasks.ToDictionary(t => t.Name, t => t.Metrics.Select(m => (Metric: m, State: m.CreateAccumulator())).ToArray());
        using (no_grad())
        {
            for (int start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var indices = Enumerable.Range(start, Math.Min(batchSize, data.Count - start)).ToArray();
                var batch = data.GetBatch(indices);
                var outputs = model.Network.call(batch.Images.to(model.Device));
                foreach (var task in model.Tasks)
                {
                    var output = outputs[task.Name].cpu();
                    foreach (var (_, state) in accumulators[task.Name]) state.Update(output, batch.Labels[task.Name]);
                }
            }
        }
        if (wasTraining) model.Network.train();
        return new EvaluationRecord(epoch, step, model.Tasks.SelectMany(task => accumulators[task.Name].Select((a, i) =>
            new MetricValue(task.Name, a.Metric.Name, a.Metric.Direction, i == 0, a.State.Compute()))).ToArray());
    }

    private static IEnumerable<string> MissingLabels(MultiTaskModel model, IMultiTaskDataset data, bool mainOnly = false) =>
        (mainOnly ? model.Tasks : model.AllTasks).Where(t => !data.Tasks.Contains(t.Name)).Select(t =>
            $"Data set '{data.Name}' has no labels for task '{t.Name}'; it provides: {string.Join(", ", data.Tasks)}.");
}
