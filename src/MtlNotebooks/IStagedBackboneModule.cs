namespace MtlNotebooks.Modules.Backbones;

/// <summary>A backbone module that runs as a stem and a sequence of stages of blocks, stage k giving level k: what the
/// encoder-focused networks (survey §2.2) need to fuse task towers after every stage (cross-stitch, NDDR-CNN) or to attend
/// over each stage's last block (MTAN). The ResNet family, SE-ResNets, the small ResNet and MobileNet-V2 are staged.</summary>
public interface IStagedBackbone
{
    /// <summary>The stem and every stage's blocks, as modules of this backbone (running them trains this backbone).</summary>
    BackboneStages Stages { get; }
}
