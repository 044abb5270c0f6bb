using static TorchSharp.torch;

namespace MtlNotebooks.Weights;

/// <summary>One entry of a state-dict file: its name, element type and shape.</summary>
public sealed record StoredTensor(string Name, ScalarType Type, long[] Shape)
{
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}] {Type}";
}
