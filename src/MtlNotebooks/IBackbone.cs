using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A backbone spec: cheap, immutable, publishes its feature levels before any module exists.</summary>
public interface IBackbone
{
    string Name { get; }
    FeatureInfo Features { get; }
    IEnumerable<string> Validate() => [];
    Backbone Create();
}
