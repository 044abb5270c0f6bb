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

    /// <summary>What else this backbone can do, asked by capability, not by type (as ASP.NET Core asks a request for its
    /// features): e.g. <see cref="IStagedBackbone"/> for the encoder-focused architectures. Null when it cannot. A spec
    /// that wraps another (the builder's probe) answers for the one inside.</summary>
    T? Capability<T>() where T : class => this as T;
}
