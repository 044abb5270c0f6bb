namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>The task a task-conditional network is computing right now (ASTMT §3: "one task at a time"). The network
/// sets it at the start of each forward pass; every <see cref="PerTask"/> layer inside reads it, so plain
/// <c>Module&lt;Tensor, Tensor&gt;</c> layers need no extra argument to know their task.</summary>
public sealed class ActiveTask
{
    private string? _name;

    /// <summary>The current task; reading it before any forward pass set one names the layer that asked.</summary>
    public string Name => _name ?? throw new InvalidOperationException(
        "A task-specific layer ran outside a task's forward pass: call the network with a task (Forward(image, [task])).");

    public void Set(string task) => _name = task;
}
