using MtlNotebooks.Data;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Data;

[Collection("Torch")]
public sealed class ImageNetNormalizationTests
{
    [Fact]
    public void NormalizeImageNet_SubtractsMeanAndDividesByStdPerChannel()
    {
        using var scope = NewDisposeScope();
        var image = ones(2, 3, 2, 2) * 0.5f;
        var normalized = LabelImages.NormalizeImageNet(image);
        // (0.5 − 0.485) / 0.229, (0.5 − 0.456) / 0.224, (0.5 − 0.406) / 0.225
        Assert.Equal(0.0655022f, normalized[1, 0, 1, 1].item<float>(), 5);
        Assert.Equal(0.1964286f, normalized[0, 1, 0, 0].item<float>(), 5);
        Assert.Equal(0.4177778f, normalized[1, 2, 0, 1].item<float>(), 5);
        Assert.Equal([3L, 2, 2], LabelImages.NormalizeImageNet(image[0]).shape);
    }

    [Fact]
    public void NormalizeImageNet_WrongShape_NamesTheShape()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => LabelImages.NormalizeImageNet(zeros(1, 4, 8, 8)));
        Assert.Contains("expected 3 RGB channels, got shape [1, 4, 8, 8]", error.Message);
    }
}
