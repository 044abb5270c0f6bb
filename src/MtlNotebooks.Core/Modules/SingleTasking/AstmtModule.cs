using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static MtlNotebooks.Runtime.HeldScalars;

namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>Attentive single-tasking of multiple tasks (ASTMT; Maninis et al., CVPR 2019; survey §2.4): one network, run
/// once per task, whose task-specific SE blocks, residual adapters and batch norms make each pass the task's own, with an
/// adversarial discriminator on the tasks' gradients. Subclasses supply the encoder (<see cref="AstmtResNetModule"/>,
/// <see cref="AstmtMobileNetModule"/>); this class holds the decoder, the discriminator and the training seams.</summary>
public abstract class AstmtModule : MultiTaskNet
{
    private readonly AstmtDecoder decoder;
    private readonly GradientDiscriminator? discriminator;
    private readonly AstmtOptions _settings;
    private readonly Dictionary<string, Tensor> _features = new(StringComparer.Ordinal);

    protected AstmtModule(string name, IReadOnlyList<string> tasks, ActiveTask active, AstmtDecoder decoder, AstmtOptions settings)
        : base(name, tasks)
    {
        Active = active;
        _settings = settings;
        this.decoder = decoder;
        register_module(nameof(decoder), decoder);
        if (settings.Adversarial)
        {
            discriminator = new GradientDiscriminator(settings.DecoderWidth, tasks.Count, settings.DiscriminatorKernel);
            register_module(nameof(discriminator), discriminator);
        }
    }

    protected ActiveTask Active { get; }

    /// <summary>The switches this network was built with.</summary>
    public AstmtOptions Settings => _settings;

    /// <summary>The encoder's low-level (stride 4) and last maps for the active task.</summary>
    protected abstract (Tensor LowLevel, Tensor HighLevel) Encode(Tensor image);

    /// <summary>True when the encoder computes the same thing for every task (no task-specific layer in it): then one
    /// encoder pass serves every task of a forward call (ASTMT §5: "only one forward pass of the encoder").</summary>
    protected abstract bool EncoderShared { get; }

    public override TaskOutputs forward(Tensor image) => Forward(image, Tasks);

    public override TaskOutputs Forward(Tensor image, IReadOnlyList<string> tasks)
    {
        _features.Clear();
        (Tensor LowLevel, Tensor HighLevel)? shared = null;
        var outputs = new List<KeyValuePair<string, Tensor>>();
        foreach (var task in tasks)
        {
            Active.Set(task);
            var (low, high) = EncoderShared ? shared ??= Encode(image) : Encode(image);
            var (output, features) = decoder.call(low, high);
            _features[task] = features;
            outputs.Add(new(task, Resize.To(output, image.shape[2], image.shape[3])));
        }
        return new TaskOutputs(outputs);
    }

    public override IReadOnlyList<IReadOnlyList<string>> TrainingPasses() =>
        _settings.StepPerTask ? [.. Tasks.Select(t => (IReadOnlyList<string>)[t])] : [Tasks];

    /// <summary>ASTMT §4: (1 − w_d)·L_task + w_d·L_D, where L_D is the discriminator's cross-entropy on the normalised,
    /// reversed gradient of each task's loss with respect to that task's decoder features.</summary>
    public override TrainingTerm? TrainingTerm(TaskOutputs outputs, TaskLosses losses, TaskLabels labels, StepContext step)
    {
        if (discriminator is null) return null;
        double alpha = _settings.ReversalScale * (step.Epochs > 0 ? GradientDiscriminator.Ramp(step.Epoch, step.Epochs) : 1.0);
        Tensor? total = null;
        long correct = 0, counted = 0;
        using Scalar ignore = 255, zero = 0;
        foreach (var task in losses.Tasks)
        {
            var logits = discriminator.call(GradientDiscriminator.TaskGradient(losses[task], _features[task], alpha));
            var target = GradientDiscriminator.Target(labels[task], Tasks.ToList().IndexOf(task), logits.shape[2], logits.shape[3]);
            var valid = target.ne(ignore);
            long n = valid.sum().item<long>();
            // A batch whose label is ignored everywhere gives the discriminator nothing to learn (the code skips it).
            var loss = n == 0 ? logits.sum().mul(zero) : functional.cross_entropy(logits, target, ignore_index: 255);
            total = total is null ? loss : total.add(loss, One);
            correct += logits.argmax(1).eq(target).logical_and(valid).sum().item<long>();
            counted += n;
        }
        _features.Clear();
        double w = _settings.DiscriminatorWeight;
        using Scalar weight = w;
        return new TrainingTerm("discriminator", total!.mul(weight), 1 - w, new Dictionary<string, double>
        {
            ["discriminator loss"] = total!.detach().cpu().to(ScalarType.Float64).item<double>(),
            ["discriminator accuracy"] = counted == 0 ? double.NaN : (double)correct / counted,
            ["reversal weight"] = alpha,
        });
    }

    /// <summary>Shared layers at the scheduled rate, task-specific ones (every parameter with a task in its name, as the
    /// code selects them) at × T, the discriminator at × 10 (ASTMT appendix; the code's <c>lr_tsk</c>, <c>lr_dscr</c>).</summary>
    public override IReadOnlyList<ParameterGroup> ParameterGroups()
    {
        var named = named_parameters().ToArray();
        var discriminatorParameters = named.Where(p => p.name.StartsWith("discriminator.", StringComparison.Ordinal)).Select(p => p.parameter).ToArray();
        var taskSpecific = named.Where(p => IsTaskSpecific(p.name)).Select(p => p.parameter).ToArray();
        var shared = named.Where(p => !IsTaskSpecific(p.name) && !p.name.StartsWith("discriminator.", StringComparison.Ordinal))
            .Select(p => p.parameter).ToArray();
        return [
            new ParameterGroup("shared", shared),
            new ParameterGroup("task-specific", taskSpecific, _settings.TaskLearningRateScale ?? Tasks.Count),
            new ParameterGroup("discriminator", discriminatorParameters, _settings.DiscriminatorLearningRateScale),
        ];
    }

    /// <summary>The SE gates [B, C] of every SE block, in the order the forward pass runs them, for one forward pass of <paramref name="task"/>:
    /// the activations ASTMT's Fig. 6 embeds with t-SNE. Runs in evaluation mode without gradients.</summary>
    public IReadOnlyList<(string Layer, Tensor Gate)> SqueezeActivations(Tensor image, string task)
    {
        var blocks = named_modules().Where(m => m.module is TaskSqueezeExcitation).ToArray();
        var gates = new List<(string Layer, Tensor Gate)>();
        foreach (var (name, module) in blocks) ((TaskSqueezeExcitation)module).Recording = (name, gates);
        bool wasTraining = training;
        eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            Forward(image, [task]);
        }
        finally
        {
            foreach (var (_, module) in blocks) ((TaskSqueezeExcitation)module).Recording = null;
            if (wasTraining) train();
        }
        return gates;
    }

    private bool IsTaskSpecific(string name) => name.Split('.').Any(part => Tasks.Contains(part));

    /// <summary>The official initialisation: convs N(0, 0.01), batch norms 1 and 0, linear layers Kaiming-normal with zero
    /// bias, residual adapters zero (so modulation starts as the shared network).</summary>
    protected void InitializeAsOfficial()
    {
        using var _ = no_grad();
        foreach (var (name, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv when name.Split('.').Contains("adapt"):
                    conv.weight!.zero_();
                    break;
                case Conv2d conv:
                    init.normal_(conv.weight!, 0, 0.01);
                    break;
                case ScalarSafeBatchNorm2d bn:
                    init.ones_(bn.weight!);
                    init.zeros_(bn.bias!);
                    break;
                case Linear linear:
                    init.kaiming_normal_(linear.weight!);
                    init.zeros_(linear.bias!);
                    break;
            }
        }
    }
}
