namespace MtlNotebooks;

/// <summary>A backbone spec that runs as a stem and sequential stages of blocks (the ResNet family, MobileNet-V2, a
/// four-stage network of your own): what the encoder-focused architectures (survey §2.2: cross-stitch, NDDR-CNN, MTAN,
/// branched networks) know of it before any module exists. Its modules implement <see cref="IStagedBackboneModule"/>,
/// whose stages match these; <see cref="Contracts.Check(IBackbone, int)"/> checks that they do.</summary>
public interface IStagedBackbone
{
    /// <summary>Every stage's output (name, channels, stride), in order, also when <see cref="IBackbone.Features"/> lists
    /// only some of them.</summary>
    FeatureInfo StageLevels { get; }

    /// <summary>How many blocks each stage has, in order: one count per level of <see cref="StageLevels"/>.</summary>
    IReadOnlyList<int> StageBlocks { get; }
}
