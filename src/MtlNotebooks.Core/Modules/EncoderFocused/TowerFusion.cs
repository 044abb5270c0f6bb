using static TorchSharp.torch;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>What <see cref="CrossStitch"/> and <see cref="NddrCnn"/> share: one staged backbone and one <see cref="Head"/>
/// per task, fused after every stage by a <see cref="TaskTowersModule"/>, optionally started from an experiment's trained
/// single-task networks (<see cref="Start"/>), as the survey code does.</summary>
public abstract record TowerFusion(IHead Head) : IHeadedArchitecture, INeedsTrainedBaselines
{
    public abstract string Name { get; }

    /// <summary>The trained single-task networks the towers and heads start from; null starts them from their own
    /// initialisation. An experiment sets it after training its baselines when the options ask to start from them.</summary>
    public SingleTaskWeights? Start { get; init; }

    /// <summary>Whether <see cref="AfterBaselines"/> starts the towers from the trained single-task networks.</summary>
    private protected abstract bool StartsFromSingleTask { get; }

    public IArchitecture WithHead(IHead head) => this with { Head = head };

    public abstract IEnumerable<string> Validate(ArchitectureContext context);

    /// <summary>With the options' <c>StartFromSingleTask</c>, this architecture starting from the trained
    /// <paramref name="baselines"/> (backbone + head per task), as the survey code does.</summary>
    public IArchitecture AfterBaselines(MultiTaskNet baselines, Tensor images) =>
        StartsFromSingleTask ? this with { Start = SingleTaskWeights.From(baselines) } : this;

    public MultiTaskNet Create(ArchitectureContext context)
    {
        var network = CreateModule(TowerChecks.Towers(context, Head));
        if (Start is not null) network.InitialiseFromSingleTask(Start.PerTask);
        return network;
    }

    /// <summary>The fusing module over one backbone and head per task.</summary>
    private protected abstract TaskTowersModule CreateModule(IReadOnlyDictionary<string, (Backbone Backbone, nn.Module<FeatureMaps, Tensor> Head)> towers);
}
