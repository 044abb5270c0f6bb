using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
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
        var groups = ParameterGroups(model);
        using var optimizer = options.Optimizer.Create(groups);
        var steps = new List<StepRecord>();
        var evaluations = new List<EvaluationRecord>();
        var warnings = new Dictionary<string, string>();
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
                TrainingCancellation.ThrowIfRequested(options);
                long step = (long)epoch * stepsPerEpoch + i;
                double lr = Optimizers.PolyLearningRate(options.Optimizer.LearningRate, step, totalSteps, options.PolyPower);
                foreach (var (group, spec) in optimizer.ParamGroups.Zip(groups)) group.LearningRate = lr * spec.LearningRateScale;

                var record = TrainStep(model, optimizer, train, order.AsSpan(i * options.BatchSize, options.BatchSize).ToArray(),
                    new StepContext(shared, epoch, step) { LastSharedParameters = lastShared, Epochs = options.Epochs }, lr, options.Profile);
                options.Profile?.CountStep();
                steps.Add(record);
                Diverged("loss", options.Divergence.LossProblem(steps[0], record), options.Divergence, warnings);
                foreach (var (task, loss) in record.TaskLosses) epochLosses[task] += loss / stepsPerEpoch;

                stepsThisSession++;
                var elapsed = clock.Elapsed;
                options.Progress?.Report(new TrainingProgress(options.RunName, epoch + 1, options.Epochs, step + 1, totalSteps,
                    record.TotalLoss, elapsed, elapsed / stepsThisSession * (totalSteps - step - 1)));
            }

            TrainingCancellation.ThrowIfRequested(options);
            var evaluation = options.Profile is { } profile
                ? profile.Time(StepProfile.Evaluation, () => Evaluate(model, validation, options.EvaluationBatchSize, epoch + 1, (long)(epoch + 1) * stepsPerEpoch))
                : Evaluate(model, validation, options.EvaluationBatchSize, epoch + 1, (long)(epoch + 1) * stepsPerEpoch);
            evaluations.Add(evaluation);
            Diverged("metric", options.Divergence.MetricProblem(evaluation, steps[^1].LearningRate), options.Divergence, warnings);
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
        return new TrainingHistory(options.RunName, steps, evaluations, clock.Elapsed) { Warnings = warnings.Values.ToArray() };
    }

    /// <summary>Stops the run on <paramref name="problem"/>, or under <see cref="DivergenceGuard.Warn"/> records the first of each kind.</summary>
    private static void Diverged(string kind, string? problem, DivergenceGuard guard, Dictionary<string, string> warnings)
    {
        if (problem is null) return;
        if (!guard.WarnOnly) throw new TrainingDivergedException(problem);
        warnings.TryAdd(kind, problem);
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

    /// <summary>The optimiser groups of <paramref name="model"/>: the network's (<see cref="MultiTaskNet.ParameterGroups"/>)
    /// and the balancer's learnable weights at the scheduled rate; empty groups left out.</summary>
    public static IReadOnlyList<ParameterGroup> ParameterGroups(MultiTaskModel model) =>
        model.Network.ParameterGroups().Append(new ParameterGroup("balancer", model.Balancer.parameters().ToArray()))
            .Where(g => g.Parameters.Count > 0).ToArray();

    /// <summary>Every problem in one exception, as the builder reports them.</summary>
    public static void ThrowIfAny(IReadOnlyCollection<string> problems)
    {
        if (problems.Count > 0)
            throw new ArgumentException("Training cannot start:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)));
    }

    private static StepRecord TrainStep(MultiTaskModel model, OptimizerHelper optimizer, IMultiTaskDataset train, int[] indices, StepContext context,
        double lr, StepProfile? profile)
    {
        // Everything a step allocates dies with this scope: native memory stays flat over training.
        using var scope = NewDisposeScope();
        var (images, labels) = Timed(profile, StepProfile.Data, () =>
        {
            var batch = train.GetBatch(indices);
            return (model.Input(batch.Images), new TaskLabels(batch.Labels.Select(kv => new KeyValuePair<string, Tensor>(kv.Key, kv.Value.to(model.Device)))));
        });
        var taskLosses = new Dictionary<string, double>();
        var weights = new Dictionary<string, double>();
        var diagnostics = new Dictionary<string, double>();
        Dictionary<string, double>? gradientNorms = null;
        double total = 0;
        // One pass over every task, or one per task for task-conditional networks (ASTMT): each pass is its own
        // forward, backward and optimiser step, as the paper trains.
        var passes = model.Network.TrainingPasses();
        // One pass trains every task with a loss, auxiliary tasks included (a network lists only those it outputs finally).
        if (passes.Count == 1) passes = [model.AllTasks.Select(t => t.Name).ToArray()];
        foreach (var pass in passes)
        {
            var result = TrainPass(model, optimizer, pass, images, labels, context, taskLosses, diagnostics, train.Name, profile);
            total += result.TotalLoss;
            foreach (var (task, weight) in result.Weights) weights[task] = weight;
            if (result.GradientNorms is not null)
                foreach (var (task, norm) in result.GradientNorms) (gradientNorms ??= [])[task] = norm;
        }
        return new StepRecord(context.Epoch + 1, context.Step + 1, total, taskLosses, weights, lr)
        {
            GradientNorms = gradientNorms,
            Diagnostics = diagnostics.Count == 0 ? null : diagnostics,
        };
    }

    /// <summary>One forward, backward and optimiser step over <paramref name="tasks"/> (one of
    /// <see cref="MultiTaskNet.TrainingPasses"/>), the per-task losses and the network's logged values written into
    /// <paramref name="taskLosses"/> and <paramref name="diagnostics"/>. Gradients are reset to none, not zero, first:
    /// parameters the pass does not reach are then skipped by the optimiser (no weight decay, no momentum), so a
    /// task-conditional step changes only what its task used.</summary>
    public static BalancerStep TrainPass(MultiTaskModel model, OptimizerHelper optimizer, IReadOnlyList<string> tasks, Tensor images,
        TaskLabels labels, StepContext context, Dictionary<string, double> taskLosses, Dictionary<string, double> diagnostics,
        string data = "the batch", StepProfile? profile = null)
    {
        using var scope = NewDisposeScope();
        model.Network.zero_grad(set_to_none: true);
        model.Balancer.zero_grad(set_to_none: true);
        var result = Backward(model, tasks, images, labels, context, taskLosses, diagnostics, data, optimizer.ParamGroups.First().LearningRate, profile);
        Timed(profile, StepProfile.Optimizer, () => optimizer.step());
        return result;
    }

    private static T Timed<T>(StepProfile? profile, string phase, Func<T> body) => profile is null ? body() : profile.Time(phase, body);

    private static BalancerStep Backward(MultiTaskModel model, IReadOnlyList<string> tasks, Tensor images, TaskLabels labels,
        StepContext context, Dictionary<string, double> taskLosses, Dictionary<string, double> diagnostics, string data, double lr, StepProfile? profile)
    {
        TaskOutputs outputs;
        try
        {
            outputs = Timed(profile, StepProfile.ForwardPhase, () => model.Network.Forward(images, tasks));
        }
        catch (ExternalException ex)
        {
            throw new InvalidOperationException(
                $"{model.Plan.Architecture.Name} forward pass failed on a batch of shape [{string.Join(", ", images.shape)}] from '{data}': {ex.Message.Split('\n')[0]}", ex);
        }
        var (losses, values) = Timed(profile, StepProfile.Loss, () =>
        {
            var computed = model.ComputeLosses(outputs, labels, tasks);
            return (computed, computed.Stack().detach().cpu().to(ScalarType.Float64).data<double>().ToArray());
        });
        foreach (var (task, k) in losses.Tasks.Select((t, k) => (t, k)))
        {
            taskLosses[task] = values[k];
            if (!double.IsFinite(values[k]))
                throw new TrainingDivergedException(
                    $"The loss of task '{task}' became {values[k]} at epoch {context.Epoch + 1}, step {context.Step + 1} (learning rate {lr:g3}). " +
                    "Lower the learning rate, check that task's labels, or reduce its loss weight.");
        }
        var term = model.Network.TrainingTerm(outputs, losses, labels, context);
        if (term is null) return Timed(profile, StepProfile.BackwardPhase, () => model.Balancer.Backward(losses, context));
        foreach (var (name, value) in term.Diagnostics) diagnostics[name] = value;
        // The term's graph shares the forward pass with the task losses: keep it for the balancer's backward.
        using Scalar lossScale = term.TaskLossScale;
        var scaled = TaskLosses.From(losses.Tasks, t => losses[t].mul(lossScale));
        var step = Timed(profile, StepProfile.BackwardPhase, () =>
        {
            term.Loss.backward(retain_graph: true);
            return model.Balancer.Backward(scaled, context);
        });
        return step with { TotalLoss = step.TotalLoss + term.Loss.detach().cpu().to(ScalarType.Float64).item<double>() };
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
                var outputs = model.Network.call(model.Input(batch.Images));
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
