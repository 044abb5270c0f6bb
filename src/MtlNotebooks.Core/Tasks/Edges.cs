using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks;

/// <summary>Edge detection: 1 logit per pixel; labels [B, 1, H, W] in {0, 1} (255 = ignore). Loss: BCE with positive
/// weight <paramref name="PositiveWeight"/> (0.95, negatives 0.05: ASTMT appendix, MTI-Net code); metric: odsF with the
/// boundary tolerance <paramref name="MaxDistance"/> × the image diagonal (see <see cref="OdsF"/> for how it differs
/// from the MATLAB benchmark). The prediction is σ(x).</summary>
public sealed record Edges(double PositiveWeight = 0.95, double MaxDistance = 0.0075, string Name = "edge") : IDenseTask
{
    public TaskLabelShape Label => TaskLabelShape.Dense(1);

    public int OutputChannels => 1;
    public ITaskLoss Loss => new BinaryCrossEntropyLoss(BinaryWeighting.FixedPositiveWeight, PositiveWeight);
    public IReadOnlyList<ITaskMetric> Metrics => [new OdsF(MaxDistance)];
    public Tensor Activate(Tensor output) => output.sigmoid();

    public IEnumerable<string> Validate()
    {
        if (!(PositiveWeight > 0 && PositiveWeight < 1)) yield return $"task '{Name}': PositiveWeight must be in (0, 1), got {PositiveWeight}.";
        if (!(MaxDistance >= 0 && MaxDistance < 1)) yield return $"task '{Name}': MaxDistance is a fraction of the image diagonal in [0, 1), got {MaxDistance}.";
    }
}
