using MtlNotebooks.Modules.DecoderFocused;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.DecoderFocused;

/// <summary>The FPM and the spatial-attention unit against PyTorch implementations of the same definitions
/// (Fixtures/make_decoder_fixtures.py, run with Debian's PyTorch): same weights and inputs, outputs within 1e-4.</summary>
[Collection("Torch")]
public sealed class PyTorchReferenceTests
{
    private sealed record Stored(long[] Shape, double[] Data)
    {
        public Tensor ToTensor() => tensor(Data.Select(v => (float)v).ToArray(), Shape);
    }

    private sealed record Fixture(string Torch, string[] Tasks, int Channels, Dictionary<string, Stored> State,
        Dictionary<string, Stored> Inputs, Dictionary<string, Stored> Outputs);

    private static Fixture Load(string name) => PyTorchFixtures.Load<Fixture>(name);

    private static void AssertMatchesReference(nn.Module<TaskFeatures, TaskFeatures> module, Fixture fixture)
    {
        PyTorchFixtures.CopyState(module, fixture.State.ToDictionary(e => e.Key, e => (Func<Tensor>)e.Value.ToTensor));
        using var scope = NewDisposeScope();
        var output = module.call(TaskFeatures.From(fixture.Inputs.Keys, t => fixture.Inputs[t].ToTensor()));
        foreach (var (task, expected) in fixture.Outputs)
        {
            var difference = (output[task] - expected.ToTensor()).abs().max().item<float>();
            Assert.True(difference < 1e-4, $"task '{task}': max difference {difference} from PyTorch {fixture.Torch}");
        }
    }

    [Fact]
    public void FeaturePropagationModule_EqualsPyTorchReference()
    {
        var fixture = Load("fpm_reference.json");
        using var module = new FpmModule(new PropagationContext(fixture.Tasks, fixture.Channels, new FeatureLevel("layer2", fixture.Channels, 8)), new FpmOptions());
        AssertMatchesReference(module, fixture);
    }

    [Fact]
    public void SpatialAttentionModule_EqualsPyTorchReference()
    {
        var fixture = Load("spatial_attention_reference.json");
        using var module = new SpatialAttentionModule(new DistillationContext(fixture.Tasks, ["semseg", "depth"], fixture.Channels,
            new FeatureLevel("layer1", fixture.Channels, 4)), new SpatialAttentionOptions());
        AssertMatchesReference(module, fixture);
    }
}
