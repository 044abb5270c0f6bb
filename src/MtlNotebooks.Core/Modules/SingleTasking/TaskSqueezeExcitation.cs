using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>Squeeze-and-excitation (Hu et al. 2018) shared by all tasks, or one per task (ASTMT §3.1, eq. 1: the task
/// modulates the channels of a shared convolution). Field <c>fc</c> = Linear C→C/r, ReLU, Linear, sigmoid, as the
/// official code, so keys read <c>se.fc.0.weight</c> (shared) or <c>se.fc.semseg.0.weight</c> (per task).</summary>
public sealed class TaskSqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> fc;

    /// <summary>Per task when <paramref name="tasks"/> is given, else shared; <paramref name="relu6"/> for the MobileNet variant.</summary>
    public TaskSqueezeExcitation(int channels, int reduction, IReadOnlyList<string>? tasks, ActiveTask active, bool relu6 = false)
        : base(nameof(TaskSqueezeExcitation))
    {
        fc = tasks is null ? Excitation(channels, reduction, relu6) : new PerTask(tasks, active, _ => Excitation(channels, reduction, relu6));
        RegisterComponents();
    }

    /// <summary>The gate [B, C] for the active task: the activations ASTMT's Fig. 6 embeds with t-SNE.</summary>
    public Tensor Gate(Tensor input) => fc.call(input.mean([2, 3]));

    /// <summary>When set, every forward pass appends its name and gate (detached) here, in execution order: how ASTMT's
    /// Fig. 6 reads the activations.</summary>
    internal (string Name, List<(string Layer, Tensor Gate)> Gates)? Recording { get; set; }

    public override Tensor forward(Tensor input)
    {
        var gate = Gate(input);
        if (Recording is var (name, gates)) gates.Add((name, gate.detach().clone().DetachFromDisposeScope()));
        return input * gate.unsqueeze(-1).unsqueeze(-1);
    }

    private static Sequential Excitation(int channels, int reduction, bool relu6) =>
        Sequential(Linear(channels, channels / reduction), relu6 ? ReLU6() : ReLU(), Linear(channels / reduction, channels), Sigmoid());
}
