using MtlNotebooks.Weights;

namespace MtlNotebooks.Tests.Weights;

/// <summary>ASTMT's MobileNet-V2 network in the ASTMT code registers its first four blocks again as features_low and the
/// rest as features_high, so its state dict (SE enc + SE dec + Adv on PASCAL) holds 3,699 keys, 1,646 of them second
/// names of tensors it already holds (counted from its state_dict(keep_vars=True)); its load_state_dict(strict=True)
/// asks for all of them. <c>mtl weights roundtrip --astmt-code</c> checks outputs both ways with the code itself.</summary>
[Collection("Torch")]
public sealed class AstmtFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-astmt-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static MultiTaskNetBuilder Builder() => MultiTaskNet.CreateBuilder().UseBackbone(Backbones.MobileNetV2())
        .AddTask(DenseTasks.Edges()).AddTask(DenseTasks.SemanticSegmentation(21)).AddTask(DenseTasks.HumanParts(7))
        .AddTask(DenseTasks.SurfaceNormals()).AddTask(DenseTasks.Saliency())
        .UseArchitecture(Architectures.Astmt(adapters: false));

    [Fact]
    public void MobileNetNetwork_WrittenUnderTheCodesNames_HoldsItsSecondNames_AndEitherFileLoadsBack()
    {
        using var model = Builder().WithSeed(0).Build();
        var theirs = Path.Combine(_folder, "theirs.pth");
        model.Network.SaveWeights(theirs, referenceNames: true);
        using (var file = StateDictFile.Read(theirs))
        {
            Assert.Equal(3699, file.Tensors.Count);
            var second = file.Tensors.Keys.Where(k => k.StartsWith("features_low.", StringComparison.Ordinal) || k.StartsWith("features_high.", StringComparison.Ordinal)).ToArray();
            Assert.Equal(1646, second.Length);
            Assert.Contains("features_low.0.conv.0.weight", second);
            var last = second.First(k => k.StartsWith("features_high.17.", StringComparison.Ordinal) && k.EndsWith(".weight", StringComparison.Ordinal));
            Assert.True(file.Tensors[last].allclose(file.Tensors[last.Replace("features_high.", "features.", StringComparison.Ordinal)], 0, 0));
        }

        var ours = Path.Combine(_folder, "ours.safetensors");
        model.Network.SaveWeights(ours);
        foreach (var path in new[] { theirs, ours })
        {
            using var other = Builder().WithSeed(1).Build();
            other.Network.LoadWeights(path);
            Assert.Equal(PyTorchFixtures.StateDictDigest(model.Network), PyTorchFixtures.StateDictDigest(other.Network));
            var a = model.Network.state_dict()["features.0.conv.0.weight"];
            Assert.True(a.allclose(other.Network.state_dict()["features.0.conv.0.weight"], 0, 0), path);
        }
    }

    [Fact]
    public void KeyTable_AliasLines_NameTheSecondKeys()
    {
        var map = KeyMap.Load("astmt-mobilenet", "the ASTMT code's SE-MobileNet-V2 DeepLab");
        Assert.Equal("features.2.conv.1.weight", map.ToReference("features.2.conv.1.weight"));
        Assert.Equal(["features_low.2.conv.1.weight"], map.AliasesOf("features.2.conv.1.weight"));
        Assert.Equal(["features_high.10.se.fc.0.weight"], map.AliasesOf("features.10.se.fc.0.weight"));
        Assert.Empty(map.AliasesOf("decoder.conv.weight"));
    }
}
