using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.Backbones;

/// <summary>A vision transformer (ViT, Dosovitskiy et al. 2021) with timm's field names (<c>cls_token</c>, <c>pos_embed</c>,
/// <c>patch_embed.proj</c>, <c>blocks.N.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}</c>, <c>norm</c>), so timm's
/// ImageNet files load by name. It emits the tapped blocks' tokens and the normed output as maps [B, C, H/p, W/p] (the
/// class token dropped), as InvPT and TaskPrompter read them; an input of another size than the embedding's gets the
/// grid part of the position embedding resized bicubically (timm's <c>resize_pos_embed</c>).</summary>
public sealed class VisionTransformerModule : Backbone
{
    private readonly Parameter? cls_token;
    private readonly Parameter pos_embed;
    private readonly PatchEmbedding patch_embed;
    private readonly ModuleList<VisionTransformerBlock> blocks;
    private readonly LayerNorm norm;
    private readonly VisionTransformerOptions _options;
    private readonly HashSet<int> _taps;

    public VisionTransformerModule(VisionTransformerOptions options) : base("VisionTransformer")
    {
        var problems = options.Validate("VisionTransformer").ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _options = options;
        _taps = [.. options.TappedBlocks];
        var (gridHeight, gridWidth) = options.Grid;
        int tokens = gridHeight * gridWidth + (options.ClassToken ? 1 : 0);
        if (options.ClassToken) cls_token = Parameter(zeros(1, 1, options.EmbedDim));
        pos_embed = Parameter(zeros(1, tokens, options.EmbedDim));
        patch_embed = new PatchEmbedding(options.PatchSize, options.EmbedDim);
        blocks = new ModuleList<VisionTransformerBlock>();
        for (int i = 0; i < options.Depth; i++)
        {
            double dropPath = options.Depth == 1 ? 0 : options.DropPathRate * i / (options.Depth - 1);   // linspace(0, rate, depth)
            blocks.Add(new VisionTransformerBlock(options.EmbedDim, options.Heads, options.MlpRatio, dropPath: dropPath));
        }
        norm = LayerNorm(options.EmbedDim, 1e-6);
        RegisterComponents();
        InitializeAsTimm();
    }

    public override FeatureInfo Features => _options.Features;

    public VisionTransformerOptions Options => _options;

    public override FeatureMaps forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var grid = patch_embed.call(input);
        long b = grid.shape[0], height = grid.shape[2], width = grid.shape[3];
        var x = TokenMaps.ToTokens(grid);
        if (cls_token is not null) x = cat([cls_token.expand(b, -1, -1), x], 1);
        x = x.add(PositionEmbedding(height, width), HeldScalars.One);
        var maps = new List<Tensor>(_taps.Count + 1);
        for (int i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].call(x);
            if (_taps.Contains(i + 1)) maps.Add(ToMap(x, height, width));
        }
        maps.Add(ToMap(norm.call(x), height, width));
        if (_options.Pyramid) maps = [.. maps.Select((m, i) => Resample(m, i - (maps.Count - 2)))];
        foreach (var map in maps) map.MoveToOuterDisposeScope();
        return new FeatureMaps(maps);
    }

    /// <summary>The position embedding for a grid of <paramref name="height"/> × <paramref name="width"/> tokens: the stored
    /// one, or its grid part resized bicubically (align_corners false) with the class token's entry kept, as timm does.</summary>
    public Tensor PositionEmbedding(long height, long width)
    {
        var (gridHeight, gridWidth) = _options.Grid;
        if (height == gridHeight && width == gridWidth) return pos_embed.alias();
        return PositionEmbeddings.Resize(pos_embed, gridHeight, gridWidth, height, width, _options.ClassToken);
    }

    /// <summary>Tokens [B, (cls) + h·w, C] as a map [B, C, h, w], the class token dropped.</summary>
    private Tensor ToMap(Tensor tokens, long height, long width) => TokenMaps.ToMap(cls_token is null ? tokens : tokens[.., 1.., ..], height, width);

    /// <summary>A map at stride p moved to stride p·2^<paramref name="octaves"/>: bilinear up for negative, max-pool down for positive.</summary>
    private static Tensor Resample(Tensor map, int octaves) => octaves switch
    {
        0 => map,
        < 0 => functional.interpolate(map, scale_factor: [Math.Pow(2, -octaves), Math.Pow(2, -octaves)], mode: InterpolationMode.Bilinear, align_corners: false),
        _ => functional.max_pool2d(map, 1 << octaves, 1 << octaves),
    };

    /// <summary>timm's ViT initialisation: position embedding and class token truncated normal (std 0.02, as InvPT's copy of timm does),
    /// every Linear truncated normal (std 0.02) with zero bias; LayerNorms 1 and 0; the patch convolution PyTorch's default.</summary>
    private void InitializeAsTimm()
    {
        using var _ = no_grad();
        init.trunc_normal_(pos_embed, std: 0.02);
        if (cls_token is not null) init.trunc_normal_(cls_token, std: 0.02);
        TransformerInitialization.TruncatedNormalLinears(this);
    }
}
