using System.IO.Compression;
using System.Text.Json;
using MtlNotebooks.Weights;

namespace MtlNotebooks.Tests.Weights;

/// <summary>The key tables against the survey code's own state dicts (Fixtures/reference_keys.json.gz, written by
/// make_reference_keys.py from its get_model): every network the builder makes for one of its configs has, under the
/// authors' names, exactly their keys and shapes, and a file under their names loads into it.</summary>
[Collection("Torch")]
public sealed class ReferenceKeyTests
{
    private static readonly Lazy<Dictionary<string, List<(string Key, long[] Shape)>>> Reference = new(() =>
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "reference_keys.json.gz"));
        using var json = JsonDocument.Parse(new GZipStream(file, CompressionMode.Decompress));
        return json.RootElement.EnumerateObject().ToDictionary(c => c.Name, c => c.Value.EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToList());
    });

    private static MultiTaskNetBuilder Nyud(IBackbone backbone, IArchitecture architecture) => MultiTaskNet.CreateBuilder()
        .UseBackbone(backbone).AddTask(DenseTasks.SemanticSegmentation(40)).AddTask(DenseTasks.Depth()).UseArchitecture(architecture);

    private static MultiTaskNetBuilder Builder(string config) => config switch
    {
        "nyud/hrnet18/multi_task_baseline" => Nyud(Backbones.HRNetW18Small(), Architectures.HardSharing(Heads.HRNet())),
        "nyud/hrnet18/pad_net" => Nyud(Backbones.HRNetW18Small(), Architectures.PadNet()),
        "nyud/hrnet18/mti_net" => Nyud(Backbones.HRNetW18Small(), Architectures.MtiNet()),
        "nyud/hrnet18/mti_net+edges_normals" => Nyud(Backbones.HRNetW18Small(), Architectures.MtiNet())
            .AddAuxiliaryTask(DenseTasks.SurfaceNormals()).AddAuxiliaryTask(DenseTasks.Edges()),
        "nyud/resnet50/multi_task_baseline" => Nyud(Backbones.ResNet50(outputStride: 8), Architectures.HardSharing(Heads.DeepLab())),
        "nyud/resnet50/cross_stitch" => Nyud(Backbones.ResNet50(outputStride: 8), Architectures.CrossStitch(Heads.DeepLab())),
        "nyud/resnet50/nddr_cnn" => Nyud(Backbones.ResNet50(outputStride: 8), Architectures.NddrCnn(Heads.DeepLab())),
        "nyud/resnet50/mtan" => Nyud(Backbones.ResNet50(outputStride: 8), Architectures.Mtan(Heads.DeepLab())),
        _ => throw new ArgumentException(config),
    };

    [Theory]
    [InlineData("nyud/hrnet18/multi_task_baseline")]
    [InlineData("nyud/hrnet18/pad_net")]
    [InlineData("nyud/hrnet18/mti_net")]
    [InlineData("nyud/hrnet18/mti_net+edges_normals")]
    [InlineData("nyud/resnet50/multi_task_baseline")]
    [InlineData("nyud/resnet50/cross_stitch")]
    [InlineData("nyud/resnet50/nddr_cnn")]
    [InlineData("nyud/resnet50/mtan")]
    public void UnderTheAuthorsNames_KeysAndShapesEqualTheirs(string config)
    {
        using var model = Builder(config).Build();
        var map = (model.Network as IReferenceKeys)?.ReferenceKeys;
        var ours = model.Network.state_dict()
            .Select(t => $"{map?.ToReference(t.Key) ?? t.Key} [{string.Join(", ", t.Value.shape)}]").Order(StringComparer.Ordinal).ToArray();
        var theirs = Reference.Value[config].Select(e => $"{e.Key} [{string.Join(", ", e.Shape)}]").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(theirs, ours);
    }

    [Theory]
    [InlineData("nyud/hrnet18/multi_task_baseline")]
    [InlineData("nyud/hrnet18/pad_net")]
    [InlineData("nyud/hrnet18/mti_net")]
    public void AFileUnderTheAuthorsNames_LoadsIntoOurNetwork(string config)
    {
        var folder = Directory.CreateTempSubdirectory("mtl-reference-keys-").FullName;
        try
        {
            var path = Path.Combine(folder, "theirs.pth");
            using var source = Builder(config).Build();
            source.Network.SaveWeights(path, referenceNames: true);
            using (var written = StateDictFile.Read(path))
                Assert.Equal(Reference.Value[config].Select(e => e.Key).Order(StringComparer.Ordinal), written.Tensors.Keys.Order(StringComparer.Ordinal));

            using var target = Builder(config).Build();
            target.Network.LoadWeights(path);
            var expected = source.Network.state_dict();
            foreach (var (name, tensor) in target.Network.state_dict())
                Assert.True((tensor == expected[name]).all().item<bool>(), name);

            // Our own names load as well; a file of another network names what does not fit, under both namings.
            source.Network.SaveWeights(Path.Combine(folder, "ours.safetensors"));
            target.Network.LoadWeights(Path.Combine(folder, "ours.safetensors"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
