using MtlNotebooks.Modules.Backbones;
using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.BackboneZoo;

/// <summary>The ViT against the one InvPT's official code builds (Fixtures/make_vit_fixtures.py: timm 0.5.4's
/// VisionTransformer with blocks tapped, at width 32): same keys, same outputs within 1e-4, the same position-embedding
/// resize as timm's; and what a user meets around it (sizes, refusals, a file made for another image size).</summary>
[Collection("Torch")]
public sealed class VisionTransformerTests
{
    private sealed record Fixture(string Torch, int Embed_Dim, int Depth, int Heads, int Patch_Size, int Image_Height, int Image_Width, int[] Taps,
        Dictionary<string, PyTorchFixtures.StoredTensor> State, PyTorchFixtures.StoredTensor Input, Dictionary<string, PyTorchFixtures.StoredTensor> Outputs, PyTorchFixtures.StoredTensor Square_Pos_Embed, PyTorchFixtures.StoredTensor Resized_Pos_Embed, long Parameters);

    private static readonly Fixture Reference = PyTorchFixtures.Load<Fixture>("vit_reference.json");

    private static VisionTransformerOptions ReferenceOptions => new(Reference.Embed_Dim, Reference.Depth, Reference.Heads, Reference.Patch_Size,
        Reference.Image_Height, Reference.Image_Width, Reference.Taps);

    [Fact]
    public void OfficialInvPTViT_SameWeights_GiveItsOutputs()
    {
        using var module = new VisionTransformerModule(ReferenceOptions);
        Assert.Equal(Reference.Parameters, module.parameters().Sum(p => p.numel()));
        PyTorchFixtures.CopyState(module, Reference.State.ToDictionary(e => e.Key, e => (Func<Tensor>)e.Value.ToTensor));
        using var scope = NewDisposeScope();
        using var _ = no_grad();

        var maps = module.call(Reference.Input.ToTensor());

        Assert.Equal(["blocks.0", "blocks.1", "blocks.2", "norm"], module.Features.Levels.Select(l => l.Name));
        foreach (var (level, map) in module.Features.Levels.Zip(maps))
            PyTorchFixtures.AssertClose(Reference.Outputs[level.Name].ToTensor(), map, $"ViT level {level.Name}");
    }

    [Fact]
    public void PositionEmbedding_ResizedToAnotherGrid_EqualsTimms()
    {
        using var scope = NewDisposeScope();

        var resized = PositionEmbeddings.Resize(Reference.Square_Pos_Embed.ToTensor(), 5, 5, 4, 6, classToken: true);

        PyTorchFixtures.AssertClose(Reference.Resized_Pos_Embed.ToTensor(), resized, "resize_pos_embed 5×5 → 4×6");
    }

    [Fact]
    public void AnInputOfAnotherSize_UsesTheResizedEmbedding()
    {
        // timm's dynamic size: a 48×48 image on an embedding made for 32×48 gives 6×6 maps, the grid part resized.
        using var module = new VisionTransformerModule(ReferenceOptions);
        module.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();

        var maps = module.call(randn(1, 3, 48, 48));

        Assert.All(maps, m => Assert.Equal([1L, 32, 6, 6], m.shape));
        Assert.Equal([1L, 37, 32], module.PositionEmbedding(6, 6).shape);
    }

    [Fact]
    public void Pyramid_GivesFourStridesFromTheTaps()
    {
        var spec = Backbones.All["vit-tiny"];
        using var module = spec.Create();
        using var scope = NewDisposeScope();
        using var _ = no_grad();

        var maps = module.call(randn(2, 3, 64, 64));

        Assert.Equal([2, 4, 8, 16], spec.Features.Levels.Select(l => l.Stride));
        Assert.Equal([[2L, 48, 32, 32], [2L, 48, 16, 16], [2L, 48, 8, 8], [2L, 48, 4, 4]], maps.Select(m => m.shape));
    }

    [Fact]
    public void TimmSizes_HaveTimmsCountsWithoutTheClassifier()
    {
        // vit_base_patch16_384 has 86,859,496 parameters, 769,000 of them in its 1000-class head.
        var spec = Backbones.VitBase();
        using var module = spec.Create();

        Assert.Equal(86_859_496 - 769_000, module.parameters().Sum(p => p.numel()));
        Assert.Equal([6, 12, 18], Backbones.VitLarge().Options.TappedBlocks);
        Assert.Equal([3, 6, 9], spec.Options.TappedBlocks);
        Assert.Equal("ViT-Base/16 (384×384)", spec.Name);
    }

    [Fact]
    public void AnImageNotMadeOfWholePatches_IsRefusedWithItsShape()
    {
        using var module = new VisionTransformerModule(ReferenceOptions);

        var error = Assert.Throws<ArgumentException>(() => module.call(zeros(1, 3, 30, 48)));

        Assert.StartsWith("A vision transformer with 8×8 patches takes images whose height and width are multiples of 8; got [1, 3, 30, 48].", error.Message);
    }

    [Fact]
    public void Validate_NamesEveryProblemAtOnce()
    {
        var spec = Backbones.VisionTransformer(new(EmbedDim: 50, Depth: 4, Heads: 3, PatchSize: 8, ImageHeight: 36, ImageWidth: 32, Taps: [2, 5], DropPathRate: 1));

        var problems = spec.Validate().ToList();

        Assert.Equal(
        [
            "UseBackbone(VisionTransformer): the 3 attention heads must divide the token width 50.",
            "UseBackbone(VisionTransformer): the position embedding's image size 36×32 must be whole 8-pixel patches.",
            "UseBackbone(VisionTransformer): taps must be distinct blocks in 1…4, ascending; got [2, 5].",
            "UseBackbone(VisionTransformer): dropPathRate must lie in [0, 1), got 1.",
        ], problems);
    }

    [Fact]
    public void AFileMadeForAnotherImageSize_LoadsWithItsEmbeddingResized_AndItsClassifierSkipped()
    {
        var folder = Directory.CreateTempSubdirectory("mtl-vit-");
        try
        {
            // A "timm file": a square 4×4 grid (32×32 images) with a classifier, loaded into a model for 32×48 images.
            var square = ReferenceOptions with { ImageHeight = 32, ImageWidth = 32 };
            using var source = new VisionTransformerModule(square);
            var path = Path.Combine(folder.FullName, "vit.safetensors");
            var tensors = source.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
            using var head = randn(10, 32);
            tensors["head.weight"] = head;
            StateDictFile.Write(path, tensors);

            using var loaded = Backbones.VisionTransformer(ReferenceOptions, weights: path).Create();

            var state = loaded.state_dict();
            using var expected = PositionEmbeddings.Resize(source.state_dict()["pos_embed"], 4, 4, 4, 6, classToken: true);
            PyTorchFixtures.AssertClose(expected, state["pos_embed"], "pos_embed resized on load");
            PyTorchFixtures.AssertClose(source.state_dict()["blocks.3.mlp.fc2.weight"], state["blocks.3.mlp.fc2.weight"], "a block's weight");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
