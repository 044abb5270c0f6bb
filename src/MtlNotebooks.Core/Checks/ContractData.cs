using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Checks;

/// <summary>The data the contracts train on: seeded random images whose labels follow from them (classes from the signs
/// of two channels, depth and normals from the channels), so a balancer sees three learnable tasks without the core
/// carrying a scene renderer. Labels use the formats of <see cref="IMultiTaskDataset"/>.</summary>
internal sealed class ContractData : IMultiTaskDataset, IDisposable
{
    /// <summary>Classes of the semantic segmentation labels.</summary>
    public const int ClassCount = 4;

    private readonly Tensor _images;

    public ContractData(string name, int count, int height, int width, ulong seed)
    {
        Name = name;
        Height = height;
        Width = width;
        using var generator = new TorchSharp.torch.Generator(seed);
        _images = randn([count, 3, height, width], generator: generator);
    }

    public string Name { get; }
    public int Count => (int)_images.shape[0];
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> Tasks { get; } = ["semseg", "depth", "normals"];

    public MultiTaskBatch GetBatch(IReadOnlyList<int> indices)
    {
        using var index = tensor(indices.Select(i => (long)i).ToArray());
        var images = _images.index_select(0, index);
        using var scope = NewDisposeScope();
        using Scalar zero = 0, one = 1, two = 2;
        var classes = images[.., 0].gt(zero).to(ScalarType.Int64).add(images[.., 1].gt(zero).to(ScalarType.Int64).mul(two), one);
        var depth = images[.., 2..3].sigmoid().add(one, one);
        var normals = nn.functional.normalize(images, p: 2, dim: 1);
        var labels = new TaskLabels([new("semseg", classes.MoveToOuterDisposeScope()), new("depth", depth.MoveToOuterDisposeScope()),
            new("normals", normals.MoveToOuterDisposeScope())]);
        return new MultiTaskBatch(images, labels);
    }

    public void Dispose() => _images.Dispose();
}
