using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>What a head may rely on when it is created: the backbone's levels and the task it predicts.</summary>
public sealed record HeadContext(string Task, int OutputChannels, FeatureInfo Features);

/// <summary>A task head spec: turns multi-scale features into a task's raw output [B, OutputChannels, h, w] at the size of
/// one of the levels — the finest for most heads, the coarsest for DeepLab-v3's. Architectures resize that output to the
/// input size. <see cref="Contracts.Check(IHead, HeadContext?, int)"/> checks a head of your own against this.</summary>
public interface IHead
{
    string Name { get; }
    IEnumerable<string> Validate(HeadContext context) => [];
    nn.Module<FeatureMaps, Tensor> Create(HeadContext context);
}
