using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>One optimisation step of <paramref name="model"/>: the batch, then per training pass
/// (<see cref="MultiTaskNet.TrainingPasses"/>) the forward pass, the task losses, the balancer's backward pass and the
/// optimiser's step. It knows no architecture and no balancer. With <paramref name="profile"/> each phase is timed.</summary>
internal sealed class TrainingStep(MultiTaskModel model, OptimizerHelper optimizer, StepProfile? profile = null)
{
    private static readonly IReadOnlyDictionary<string, double> NoDiagnostics = new Dictionary<string, double>();

    /// <summary>Trains on the samples <paramref name="indices"/> of <paramref name="train"/>; <paramref name="lr"/> is the
    /// scheduled rate the record keeps.</summary>
    public StepRecord Run(IMultiTaskDataset train, int[] indices, StepContext context, double lr)
    {
        // Everything a step allocates dies with this scope: native memory stays flat over training.
        using var scope = NewDisposeScope();
        var (images, labels) = StepProfile.Measure(profile, StepProfile.Data, () =>
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
            var result = Pass(pass, images, labels, context, train.Name);
            total += result.Balancer.TotalLoss;
            foreach (var (task, loss) in result.TaskLosses) taskLosses[task] = loss;
            foreach (var (name, value) in result.Diagnostics) diagnostics[name] = value;
            foreach (var (task, weight) in result.Balancer.Weights) weights[task] = weight;
            if (result.Balancer.GradientNorms is not null)
                foreach (var (task, norm) in result.Balancer.GradientNorms) (gradientNorms ??= [])[task] = norm;
        }
        return new StepRecord(context.Epoch + 1, context.Step + 1, total, taskLosses, weights, lr)
        {
            GradientNorms = gradientNorms,
            Diagnostics = diagnostics.Count == 0 ? null : diagnostics,
        };
    }

    /// <summary>One forward, backward and optimiser step over <paramref name="tasks"/> (one of
    /// <see cref="MultiTaskNet.TrainingPasses"/>) of a batch from <paramref name="data"/> (named in errors). Gradients
    /// are reset to none, not zero, first: parameters the pass does not reach are then skipped by the optimiser (no
    /// weight decay, no momentum), so a task-conditional step changes only what its task used.</summary>
    public PassResult Pass(IReadOnlyList<string> tasks, Tensor images, TaskLabels labels, StepContext context, string data = "the batch")
    {
        using var scope = NewDisposeScope();
        model.Network.zero_grad(set_to_none: true);
        model.Balancer.zero_grad(set_to_none: true);
        var result = Backward(tasks, images, labels, context, data);
        StepProfile.Measure(profile, StepProfile.Optimizer, () => optimizer.step());
        return result;
    }

    private PassResult Backward(IReadOnlyList<string> tasks, Tensor images, TaskLabels labels, StepContext context, string data)
    {
        var outputs = Forward(tasks, images, data);
        var (losses, values) = StepProfile.Measure(profile, StepProfile.Loss, () =>
        {
            var computed = model.ComputeLosses(outputs, labels, tasks);
            return (computed, computed.Stack().detach().cpu().to(ScalarType.Float64).data<double>().ToArray());
        });
        var taskLosses = new Dictionary<string, double>();
        foreach (var (task, k) in losses.Tasks.Select((t, k) => (t, k)))
        {
            taskLosses[task] = values[k];
            if (!double.IsFinite(values[k])) throw NotFinite(task, values[k], context);
        }
        var term = model.Network.TrainingTerm(outputs, losses, labels, context);
        if (term is null)
            return new PassResult(StepProfile.Measure(profile, StepProfile.BackwardPhase, () => model.Balancer.Backward(losses, context)), taskLosses, NoDiagnostics);
        // The term's graph shares the forward pass with the task losses: keep it for the balancer's backward.
        using Scalar lossScale = term.TaskLossScale;
        var scaled = TaskLosses.From(losses.Tasks, t => losses[t].mul(lossScale));
        var step = StepProfile.Measure(profile, StepProfile.BackwardPhase, () =>
        {
            term.Loss.backward(retain_graph: true);
            return model.Balancer.Backward(scaled, context);
        });
        var withTerm = step with { TotalLoss = step.TotalLoss + term.Loss.detach().cpu().to(ScalarType.Float64).item<double>() };
        return new PassResult(withTerm, taskLosses, term.Diagnostics);
    }

    private TaskOutputs Forward(IReadOnlyList<string> tasks, Tensor images, string data)
    {
        try
        {
            return StepProfile.Measure(profile, StepProfile.ForwardPhase, () => model.Network.Forward(images, tasks));
        }
        catch (ExternalException ex)
        {
            throw new InvalidOperationException(
                $"{model.Plan.Architecture.Name} forward pass failed on a batch of shape [{string.Join(", ", images.shape)}] from '{data}': {ex.Message.Split('\n')[0]}", ex);
        }
    }

    private TrainingDivergedException NotFinite(string task, double loss, StepContext context)
    {
        double lr = optimizer.ParamGroups.First().LearningRate;
        return new TrainingDivergedException(
            $"The loss of task '{task}' became {loss} at epoch {context.Epoch + 1}, step {context.Step + 1} (learning rate {lr:g3}). " +
            "Lower the learning rate, check that task's labels, or reduce its loss weight.");
    }
}
