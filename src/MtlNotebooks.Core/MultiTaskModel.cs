using MtlNotebooks.Balancing;
using MtlNotebooks.Runtime;
using static TorchSharp.torch;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks;

/// <summary>What <see cref="MultiTaskNetBuilder.Build"/> returns: the network, the balancer, the tasks and the plan
/// they came from. Network and balancer are independent objects that meet only at the shared parameters and the
/// per-task losses, so any architecture works with any balancer.</summary>
public sealed class MultiTaskModel : IDisposable
{
    internal MultiTaskModel(MultiTaskNet network, LossBalancer balancer, BuildPlan plan, Device device)
    {
        Network = network;
        Balancer = balancer;
        Plan = plan;
        Device = device;
    }

    public MultiTaskNet Network { get; }
    public LossBalancer Balancer { get; }
    public BuildPlan Plan { get; }
    public Device Device { get; }

    /// <summary>Whether the network takes its images channels-last (<see cref="MultiTaskNetBuilder.WithChannelsLast"/>).</summary>
    public bool ChannelsLast { get; internal init; }

    /// <summary><paramref name="images"/> as the network takes them: on its device and, when <see cref="ChannelsLast"/>, channels-last.</summary>
    public Tensor Input(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var moved = images.to(Device);
        return ChannelsLast ? MemoryLayout.ChannelsLast(moved) : moved;
    }
    public IReadOnlyList<IDenseTask> Tasks => Plan.Tasks;
    public IReadOnlyList<IDenseTask> AuxiliaryTasks => Plan.AuxiliaryTasks;

    /// <summary>Main then auxiliary tasks: every task with an output and a loss.</summary>
    public IReadOnlyList<IDenseTask> AllTasks => [.. Plan.Tasks, .. Plan.AuxiliaryTasks];

    /// <summary>Per-task losses of <paramref name="outputs"/> against <paramref name="labels"/>, for every task with a loss.
    /// A label whose shape does not fit the output fails with a message naming the task and both shapes.</summary>
    public TaskLosses ComputeLosses(TaskOutputs outputs, TaskLabels labels) => ComputeLosses(outputs, labels, AllTasks.Select(t => t.Name).ToArray());

    /// <summary>The losses of <paramref name="tasks"/> only: one training pass of a task-conditional network.</summary>
    public TaskLosses ComputeLosses(TaskOutputs outputs, TaskLabels labels, IReadOnlyList<string> tasks) => TaskLosses.From(
        tasks,
        name =>
        {
            var task = AllTasks.First(t => t.Name == name);
            if (!labels.ContainsKey(name))
                throw new ArgumentException($"The batch has no label for task '{name}'; it provides: {string.Join(", ", labels.Keys)}.");
            var label = labels[name];
            var terms = new List<Tensor>();
            if (outputs.ContainsKey(name)) terms.Add(TaskLoss(task, outputs[name], label, "output"));
            foreach (var intermediate in outputs.Intermediate.Where(p => p.Task == name))
            {
                var resized = Modules.Layers.Resize.To(intermediate.Output, label.shape[^2], label.shape[^1]);
                terms.Add(TaskLoss(task, resized, label, intermediate.Name));
            }
            if (terms.Count == 0)
                throw new InvalidOperationException($"{Plan.Architecture.Name} produced no output for task '{name}'.");
            return terms.Count == 1 ? terms[0] : terms.Aggregate((a, b) => a.add(b, One));
        });

    private static Tensor TaskLoss(IDenseTask task, Tensor output, Tensor label, string what)
    {
        // Checked before the loss: a mismatch would otherwise broadcast into a meaningless loss or end in a libtorch dump.
        if (output.dim() != 4 || output.shape[1] != task.OutputChannels)
            throw new ArgumentException($"Task '{task.Name}': the {what} should be [B, {task.OutputChannels}, H, W], but the network returned " +
                                        $"{TaskLabelShape.Shape(output.shape)}; does its head predict {task.OutputChannels} channels?");
        if (task.Label?.Problem(label) is { } problem)
            throw new ArgumentException($"Task '{task.Name}': its label does not fit the loss: {problem}.");
        if (label.shape[0] != output.shape[0] || label.shape[^1] != output.shape[^1] || label.shape[^2] != output.shape[^2])
            throw new ArgumentException($"Task '{task.Name}': {what} shape {TaskLabelShape.Shape(output.shape)} does not match label shape " +
                                        $"{TaskLabelShape.Shape(label.shape)} (batch and spatial sizes must agree).");
        return task.Loss.Compute(output, label);
    }

    /// <summary>Shapes and parameter counts for an input of <paramref name="height"/> × <paramref name="width"/>,
    /// found by one forward pass in evaluation mode.</summary>
    public string Summary(int height = 64, int width = 64)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        bool wasTraining = Network.training;
        Network.eval();
        var outputs = Network.call(zeros(1, 3, height, width, device: Device));
        if (wasTraining) Network.train();
        var text = new System.Text.StringBuilder(Plan.ToString()).AppendLine();
        text.AppendLine($"Input         [1, 3, {height}, {width}]");
        foreach (var (task, output) in outputs)
            text.AppendLine($"Output        {task,-12} [{string.Join(", ", output.shape)}]");
        foreach (var intermediate in outputs.Intermediate)
            text.AppendLine($"Intermediate  {intermediate.Task,-12} {intermediate.Name,-16} [{string.Join(", ", intermediate.Output.shape)}]");
        long shared = Network.SharedParameters().Sum(p => p.numel());
        text.Append($"Parameters    {Network.ParameterCount():N0} ({shared:N0} shared)");
        return text.ToString();
    }

    public override string ToString() => Plan.ToString();

    public void Dispose()
    {
        Network.Dispose();
        Balancer.Dispose();
    }
}
