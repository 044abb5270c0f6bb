using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>A backbone spec: cheap, immutable, publishes its feature levels before any module exists. Build() checks that
/// the module it creates returns those levels; <see cref="Contracts.Check(IBackbone, int)"/> checks a backbone of your own
/// more thoroughly (gradients, finiteness, training and evaluation mode).</summary>
public interface IBackbone
{
    string Name { get; }
    FeatureInfo Features { get; }
    IEnumerable<string> Validate() => [];
    Backbone Create();
}
