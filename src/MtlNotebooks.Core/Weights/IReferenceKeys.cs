namespace MtlNotebooks.Weights;

/// <summary>A module that reproduces a network of the authors' code under other key names: its <see cref="KeyMap"/> lets
/// the authors' files load into it (<see cref="PretrainedWeights.Load(TorchSharp.torch.nn.Module, string, string, Func{string, bool}?)"/>
/// tries the table when the names do not fit as they are) and its own files be written under their names.</summary>
public interface IReferenceKeys
{
    KeyMap ReferenceKeys { get; }
}
