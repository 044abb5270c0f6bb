using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A task head spec: turns multi-scale features into a task's raw output [B, OutputChannels, h, w] at the size of
/// one of the levels — the finest for most heads, the coarsest for DeepLab-v3's. Architectures resize that output to the
/// input size. <see cref="Contracts.Check(IHead, HeadContext?, int)"/> checks a head of your own against this.</summary>
public interface IHead
{
    string Name { get; }
    IEnumerable<string> Validate(HeadContext context) => [];
    nn.Module<FeatureMaps, Tensor> Create(HeadContext context);
}
