using System.Collections;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A network's predictions (raw outputs before the task's activation), keyed by task name, plus any intermediate
/// predictions that are supervised too (MTI-Net's initial predictions at every scale, PAD-Net's initial predictions).</summary>
public sealed class TaskOutputs : TaskTensors
{
    public TaskOutputs(IEnumerable<KeyValuePair<string, Tensor>> values, IEnumerable<IntermediatePrediction>? intermediate = null)
        : base(values) => Intermediate = intermediate?.ToArray() ?? [];

    public static TaskOutputs From(IEnumerable<string> tasks, Func<string, Tensor> select, IEnumerable<IntermediatePrediction>? intermediate = null) =>
        new(tasks.Select(t => new KeyValuePair<string, Tensor>(t, select(t))), intermediate);

    /// <summary>Deep-supervision outputs: each is resized to the label and adds its task's loss with the same weight
    /// as the final output (MTI-Net §3.2; the reference code adds them unweighted).</summary>
    public IReadOnlyList<IntermediatePrediction> Intermediate { get; }

    protected override string Kind => "output";
}
