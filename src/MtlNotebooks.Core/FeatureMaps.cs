using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks;

/// <summary>The tensors a backbone returns, one per <see cref="FeatureLevel"/>, finest first.</summary>
public sealed class FeatureMaps : IReadOnlyList<Tensor>
{
    private readonly Tensor[] _maps;

    public FeatureMaps(IEnumerable<Tensor> maps) => _maps = maps.ToArray();

    public Tensor this[int index] => _maps[index];
    public int Count => _maps.Length;
    public Tensor Finest => _maps[0];
    public Tensor Coarsest => _maps[^1];
    public IEnumerator<Tensor> GetEnumerator() => ((IEnumerable<Tensor>)_maps).GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
