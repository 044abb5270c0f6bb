using System.IO.Compression;
using System.Text.Json;
using MtlNotebooks.Weights;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.BackboneZoo;

/// <summary>Every backbone at its paper size takes a file with exactly the keys and shapes of the ImageNet model whose
/// file users have (Fixtures/imagenet_keys.json.gz, from the models' own code by make_imagenet_keys.py: torchvision's,
/// the ASTMT code's classification SE-ResNets, HRNet-Image-Classification's W18-small-v2), skipping its classifier, and
/// every tensor of the backbone then comes from the file.</summary>
[Collection("Torch")]
public sealed class ImageNetKeyTests : IDisposable
{
    private static readonly Lazy<Dictionary<string, (string Key, long[] Shape)[]>> Reference = new(() =>
    {
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "imagenet_keys.json.gz"));
        using var json = JsonDocument.Parse(new GZipStream(file, CompressionMode.Decompress));
        return json.RootElement.EnumerateObject().ToDictionary(m => m.Name, m => m.Value.EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToArray());
    });

    private readonly string _folder = Directory.CreateTempSubdirectory("mtl-imagenet-keys-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static IBackbone Backbone(string model, string weights) => model switch
    {
        "torchvision/resnet18" => Backbones.ResNet18(weights: weights),
        "torchvision/resnet50" => Backbones.ResNet50(weights: weights),
        "torchvision/resnet101" => Backbones.ResNet101(weights: weights),
        "torchvision/mobilenet_v2" => Backbones.MobileNetV2(weights: weights),
        "astmt/se_resnet26" => Backbones.SEResNet26(weights: weights),
        "astmt/se_resnet50" => Backbones.SEResNet50(weights: weights),
        "astmt/se_resnet101" => Backbones.SEResNet101(weights: weights),
        "hrnet/w18_small_v2" => Backbones.HRNetW18Small(weights: weights),
        _ => throw new ArgumentException(model),
    };

    [Theory]
    [InlineData("torchvision/resnet18", 2)]        // fc.weight, fc.bias
    [InlineData("torchvision/resnet50", 2)]
    [InlineData("torchvision/resnet101", 2)]
    [InlineData("torchvision/mobilenet_v2", 2)]   // classifier.1.weight, classifier.1.bias
    [InlineData("astmt/se_resnet26", 2)]
    [InlineData("astmt/se_resnet50", 2)]
    [InlineData("astmt/se_resnet101", 2)]
    [InlineData("hrnet/w18_small_v2", 0)]          // counted below: its classification head (incre, downsamp, final layer, classifier)
    public void ImageNetFile_OfTheModelsOwnKeys_FillsEveryTensorOfTheBackbone(string model, int classifierKeys)
    {
        var entries = Reference.Value[model];
        var path = Path.Combine(_folder, model.Replace('/', '_') + ".pth");
        var values = new Dictionary<string, Tensor>();
        using (var scope = NewDisposeScope())
        {
            // Each tensor a constant of its own (1, 2, 3, … thousandths), so the test can tell where a value came from.
            for (int i = 0; i < entries.Length; i++)
                values[entries[i].Key] = entries[i].Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)
                    ? tensor(7L) : full(entries[i].Shape, (i + 1) / 1000.0f);
            StateDictFile.Write(path, values);
        }

        using var module = Backbone(model, path).Create();
        var fromFile = new HashSet<float>(Enumerable.Range(1, entries.Length).Select(i => i / 1000.0f));
        var notFromFile = module.state_dict()
            .Where(t => t.Value.is_floating_point() && !(t.Value.numel() > 0 && t.Value.min().item<float>() == t.Value.max().item<float>() && fromFile.Contains(t.Value.min().item<float>())))
            .Select(t => t.Key).ToArray();
        Assert.True(notFromFile.Length == 0, $"{model}: not from the file: {string.Join(", ", notFromFile.Take(10))}");

        // What the backbone left out of the file is its ImageNet head only.
        var used = module.state_dict().Values.Where(t => t.is_floating_point()).Select(t => t.min().item<float>()).ToHashSet();
        var skipped = entries.Where((e, i) => !e.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal) && !used.Contains((i + 1) / 1000.0f)).Select(e => e.Key).ToArray();
        if (model == "hrnet/w18_small_v2")
            Assert.All(skipped, k => Assert.Matches("^(incre_modules|downsamp_modules|final_layer|classifier)\\.", k));
        else
            Assert.Equal(classifierKeys, skipped.Length);
    }

    /// <summary><c>weights inspect</c> names the backbone of each file, under the model's own names.</summary>
    [Theory]
    [InlineData("torchvision/resnet50", "Fits ResNet-50: Backbones.ResNet50(weights: file).")]
    [InlineData("astmt/se_resnet26", "Fits SE-ResNet-26: Backbones.SEResNet26(weights: file).")]
    [InlineData("astmt/se_resnet101", "Fits SE-ResNet-101: Backbones.SEResNet101(weights: file).")]
    [InlineData("hrnet/w18_small_v2", "Fits HRNet-W18-small-v2: Backbones.HRNetW18Small(weights: file) (its ImageNet head is skipped).")]
    public void Inspect_NamesTheBackboneOfTheFile(string model, string expected)
    {
        var path = Path.Combine(_folder, "file.pth");
        using (var scope = NewDisposeScope())
            StateDictFile.Write(path, Reference.Value[model].ToDictionary(e => e.Key, e => e.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? tensor(0L) : zeros(e.Shape)));
        var (exit, output, error) = CliOutput.Run("weights", "inspect", path);
        Assert.True(exit == 0, error);
        Assert.Contains(expected, output);
    }
}
