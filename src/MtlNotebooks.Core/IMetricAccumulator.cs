using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Running state of a metric over a split.</summary>
public interface IMetricAccumulator
{
    /// <summary>Adds a batch: raw outputs [B, C, H, W] and labels in the task's label format.</summary>
    void Update(Tensor output, Tensor label);

    /// <summary>The metric over everything added so far.</summary>
    double Compute();
}
