using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>Spec of <see cref="VisionTransformerModule"/>: timm's ViT, its levels the tapped blocks and the normed output;
/// <paramref name="Weights"/> (a timm ImageNet file, <c>.pth</c> or <c>.safetensors</c>) is loaded on creation, its
/// classifier (<c>head</c>, <c>pre_logits</c>, <c>fc_norm</c>) skipped and its position embedding resized to this grid
/// when it was made for another image size, as timm's <c>checkpoint_filter_fn</c> does (a 384×384 file into a 512×512 model).</summary>
public sealed record VisionTransformer(VisionTransformerOptions Options, string? Weights = null) : IBackbone, ITransformerBackbone, IPretrainableBackbone
{
    public IBackbone WithWeights(string path) => this with { Weights = path };

    public TransformerLayout Layout => new(Options.EmbedDim, Options.Depth, Options.Heads, Options.PatchSize, Options.ImageHeight,
        Options.ImageWidth, Options.TappedBlocks, Options.MlpRatio, Options.DropPathRate);

    public string Name
    {
        get
        {
            var size = Options.EmbedDim switch { 192 => "Tiny", 384 => "Small", 768 => "Base", 1024 => "Large", _ => $"width {Options.EmbedDim}" };
            var extras = new List<string> { $"{Options.ImageHeight}×{Options.ImageWidth}" };
            if (Options.Pyramid) extras.Add("pyramid");
            if (Weights is not null) extras.Add($"weights {Path.GetFileName(Weights)}");
            return $"ViT-{size}/{Options.PatchSize} ({string.Join(", ", extras)})";
        }
    }

    public FeatureInfo Features => Options.Features;

    public IEnumerable<string> Validate()
    {
        foreach (var problem in Options.Validate("UseBackbone(VisionTransformer)")) yield return problem;
        foreach (var problem in PretrainedWeights.Validate(Weights, "UseBackbone(VisionTransformer)")) yield return problem;
    }

    public Backbone Create()
    {
        var module = new VisionTransformerModule(Options);
        if (Weights is null) return module;
        try
        {
            using var loaded = StateDictFile.Read(Weights);
            long tokens = Options.Grid.Height * Options.Grid.Width + (Options.ClassToken ? 1 : 0);
            if (loaded.Tensors.TryGetValue("pos_embed", out var stored) && stored.dim() == 3 && stored.shape[1] != tokens)
                loaded.Replace("pos_embed", ResizeStored(stored));
            PretrainedWeights.Load(module, loaded, $"UseBackbone({Name})", key => key.StartsWith("head.", StringComparison.Ordinal) ||
                key.StartsWith("pre_logits.", StringComparison.Ordinal) || key.StartsWith("fc_norm.", StringComparison.Ordinal));
            return module;
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>A file's position embedding (timm's files are square: 14×14 at 224, 24×24 at 384) resized to this model's grid.</summary>
    private Tensor ResizeStored(Tensor stored)
    {
        var (height, width) = Options.Grid;
        return PositionEmbeddings.ResizeSquare(stored, height, width, Options.ClassToken);
    }
}
