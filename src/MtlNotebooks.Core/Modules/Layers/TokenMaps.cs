using static TorchSharp.torch;

namespace MtlNotebooks.Modules.Layers;

/// <summary>Feature maps and token sequences, one for the other, row-major as timm flattens patches (einops'
/// <c>b c h w -> b (h w) c</c> and back): what every transformer layer of the library does between its convolutions and
/// its attention.</summary>
public static class TokenMaps
{
    /// <summary>A map [B, C, h, w] as tokens [B, h·w, C].</summary>
    public static Tensor ToTokens(Tensor map) => map.flatten(2).transpose(1, 2);

    /// <summary>Tokens [B, h·w, C] as a map [B, C, h, w].</summary>
    public static Tensor ToMap(Tensor tokens, long height, long width) =>
        tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], height, width);

    /// <summary>Task <paramref name="task"/>'s map [B, C, h, w] from a sequence [B, T·h·w, C] that holds the tasks' tokens one after another.</summary>
    public static Tensor TaskMap(Tensor tokens, int task, long height, long width) =>
        ToMap(tokens.narrow(1, task * height * width, height * width), height, width);
}
