using static TorchSharp.torch;

namespace MtlNotebooks.Data;

/// <summary>How <see cref="ManifestDataset"/> turns files into batches.</summary>
public sealed record LoaderOptions
{
    /// <summary>Output size of every sample (NYUD 480×640, PASCAL 512×512 as trained in the papers).</summary>
    public int Height { get; init; } = 512;
    public int Width { get; init; } = 512;

    /// <summary>Random scale + crop and horizontal flip (training); off = a plain resize (evaluation).</summary>
    public bool Augment { get; init; }

    /// <summary>Zoom factors drawn uniformly for augmentation: a window of 1/s of the image at a random position is
    /// resized to the output size (the references' ScaleNRotate scales {1.0, 1.2, 1.5} with FixedResize).</summary>
    public IReadOnlyList<double> Scales { get; init; } = [1.0, 1.2, 1.5];

    /// <summary>Seed of the augmentation: sample i's n-th draw depends only on (seed, i, n).</summary>
    public int Seed { get; init; }

    /// <summary>Tasks to load (null = every task whose format this version decodes).</summary>
    public IReadOnlyList<string>? Tasks { get; init; }

    /// <summary>Use only the first samples of the split (null = all).</summary>
    public int? Limit { get; init; }
}
