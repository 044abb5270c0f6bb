using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Per-task feature maps at one scale, keyed by task name, in builder order (main tasks, then auxiliary).</summary>
public sealed class TaskFeatures : TaskTensors
{
    public TaskFeatures(IEnumerable<KeyValuePair<string, Tensor>> values) : base(values) { }

    public static TaskFeatures From(IEnumerable<string> tasks, Func<string, Tensor> select) =>
        new(tasks.Select(t => new KeyValuePair<string, Tensor>(t, select(t))));

    protected override string Kind => "features";
}
