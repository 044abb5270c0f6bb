using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>An optimiser spec: creates the TorchSharp optimiser over the given parameters.</summary>
public interface IOptimizerSpec
{
    string Name { get; }
    double LearningRate { get; }
    IEnumerable<string> Validate();
    OptimizerHelper Create(IEnumerable<Parameter> parameters);
}
