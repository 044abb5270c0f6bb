using System.Collections;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Per-task scalar losses keyed by task name: the only thing balancers see of the tasks.</summary>
public sealed class TaskLosses : TaskTensors
{
    public TaskLosses(IEnumerable<KeyValuePair<string, Tensor>> values) : base(values) { }
    public static TaskLosses From(IEnumerable<string> tasks, Func<string, Tensor> select) =>
        new(tasks.Select(t => new KeyValuePair<string, Tensor>(t, select(t))));
    protected override string Kind => "loss";

    /// <summary>The losses as a 1-D tensor [T] in task order.</summary>
    public Tensor Stack() => stack(Values.ToArray());
}
