using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>Whether a larger or a smaller value of a metric is better: the (−1)^l_i of Δm (ASTMT eq. 4, survey eq. 10).</summary>
public enum MetricDirection
{
    HigherIsBetter,
    LowerIsBetter,
}
