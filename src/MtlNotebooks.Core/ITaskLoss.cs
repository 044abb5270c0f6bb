using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A task's training loss: prediction [B, C, H, W] (raw outputs) and label → scalar.</summary>
public interface ITaskLoss
{
    string Name { get; }
    Tensor Compute(Tensor output, Tensor label);
}
