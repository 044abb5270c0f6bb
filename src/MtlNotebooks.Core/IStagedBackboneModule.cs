namespace MtlNotebooks;

/// <summary>A backbone module that runs as a stem and a sequence of stages of blocks, stage k giving level k: what the
/// encoder-focused networks (survey §2.2) need to fuse task towers after every stage (cross-stitch, NDDR-CNN), to attend
/// over each stage's last block (MTAN) or to branch between stages. The module side of <see cref="IStagedBackbone"/>.</summary>
public interface IStagedBackboneModule
{
    /// <summary>The stem and every stage's blocks, as modules of this backbone (running them trains this backbone).</summary>
    BackboneStages Stages { get; }
}
