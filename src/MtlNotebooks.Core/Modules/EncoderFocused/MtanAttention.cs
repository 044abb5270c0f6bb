using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.EncoderFocused;

/// <summary>MTAN's task-specific attention mask (Liu et al. 2019; survey §2.2.3): 1x1 conv → C/4, BN, ReLU, 1x1 conv → C, BN,
/// sigmoid, so every mask value lies in (0, 1). Children 0–5 as the survey code's <c>AttentionLayer</c> (an nn.Sequential).</summary>
public static class MtanAttention
{
    public static Sequential Create(int inChannels, int midChannels, int outChannels) => Sequential(
        Ops.Conv2d(inChannels, midChannels, 1), Ops.BatchNorm2d(midChannels), ReLU(inplace: true),
        Ops.Conv2d(midChannels, outChannels, 1), Ops.BatchNorm2d(outChannels), Sigmoid());
}
