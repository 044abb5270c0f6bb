using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>Which split of the synthetic scene stream: train and validation scenes never coincide.</summary>
public enum SyntheticSplit
{
    Train,
    Validation,
}
