using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What a head may rely on when it is created: the backbone's levels and the task it predicts.</summary>
public sealed record HeadContext(string Task, int OutputChannels, FeatureInfo Features);

/// <summary>A task head spec: turns multi-scale features into a task's raw output at the finest level's stride.
/// Architectures resize that output to the input size.</summary>
public interface IHead
{
    string Name { get; }
    IEnumerable<string> Validate(HeadContext context) => [];
    nn.Module<FeatureMaps, Tensor> Create(HeadContext context);
}
