using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Training;

/// <summary>An optimiser spec: creates the TorchSharp optimiser over the given parameters.</summary>
public interface IOptimizerSpec
{
    string Name { get; }
    double LearningRate { get; }
    IEnumerable<string> Validate();
    /// <summary>The optimiser over <paramref name="groups"/>, each at its <see cref="ParameterGroup.LearningRateScale"/>
    /// × <see cref="LearningRate"/> (the trainer rescales every group the same way when the schedule moves).</summary>
    OptimizerHelper Create(IReadOnlyList<ParameterGroup> groups);

    /// <summary>The optimiser over one group of <paramref name="parameters"/>.</summary>
    OptimizerHelper Create(IEnumerable<Parameter> parameters) => Create([new ParameterGroup("parameters", parameters.ToArray())]);
}
