using F = TorchSharp.torch.nn.functional;
using MtlNotebooks.Tasks.Losses;
using MtlNotebooks.Tasks.Metrics;
using static TorchSharp.torch;

namespace MtlNotebooks.Tasks;

/// <summary>Surface normals: 3 channels; labels [B, 3, H, W] unit vectors, zero where invalid.
/// Loss: L1 on unit vectors; metrics: mean angular error in degrees (primary, "mErr"), median, and the % of pixels
/// within 11.25°, 22.5° and 30° (the references' eval_normals).</summary>
public sealed record SurfaceNormals(string Name = "normals") : IDenseTask
{
    public TaskLabelShape Label => TaskLabelShape.Dense(3);

    public int OutputChannels => 3;
    public ITaskLoss Loss => new NormalsL1Loss();
    public IReadOnlyList<ITaskMetric> Metrics =>
        [new MeanAngularError(), new MedianAngularError(), new AngleWithin(11.25), new AngleWithin(22.5), new AngleWithin(30)];
    public Tensor Activate(Tensor output) => F.normalize(output, p: 2, dim: 1);
}
