using static MtlNotebooks.Checks.ContractRun;
using static TorchSharp.torch;

namespace MtlNotebooks.Checks;

/// <summary>The contract shared by distillation units and feature propagations (behind
/// <see cref="Contracts.Check(IDistillationUnit, DistillationContext?, int)"/> and
/// <see cref="Contracts.Check(IFeaturePropagation, PropagationContext?, int)"/>): a module from task features to task
/// features, each of the shape it came in.</summary>
internal static class TaskFeaturesContract
{
    /// <summary>Validates, creates and exercises the module: it maps random features of <paramref name="inputs"/> to
    /// features of <paramref name="outputs"/>, in that order, each [2, channels, featureSize, featureSize + 1], all finite.</summary>
    public static IReadOnlyList<string> Check(string owner, Func<IEnumerable<string>> validate,
        Func<nn.Module<TaskFeatures, TaskFeatures>> create, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, int channels, int featureSize)
    {
        var problems = new List<string>();
        var invalid = Guard(problems, owner, "Validate()", () => validate().ToArray());
        if (invalid is null) return problems;
        if (invalid.Length > 0) return [.. invalid.Select(p => $"{owner} does not accept its context: {p}")];
        long[] shape = [2, channels, featureSize, featureSize + 1];
        return Isolated(() =>
        {
            using var scope = NewDisposeScope();
            using var module = Guard(problems, owner, "Create()", create);
            if (module is null) return problems;
            Exercise(problems, owner, module,
                generator => TaskFeatures.From(inputs, _ => randn(shape, generator: generator)),
                (features, mode) =>
                {
                    string what = $"for features {Shape(shape)} of tasks {string.Join(", ", inputs)}{mode}";
                    if (features is null) return [$"{owner} returned null {what}."];
                    if (!features.Tasks.SequenceEqual(outputs))
                        return [$"{owner} returned features of tasks {List(features.Tasks)} {what}; expected {List(outputs)}, in that order."];
                    var found = new List<string>();
                    foreach (var (task, tensor) in features)
                    {
                        if (tensor is null) found.Add($"{owner} returned null for task '{task}' {what}.");
                        else if (!tensor.shape.SequenceEqual(shape))
                            found.Add($"{owner} returned task '{task}' as {Shape(tensor)} {what}; expected the input's shape {Shape(shape)}.");
                        else if (NonFinite(tensor)) found.Add($"{owner} returned NaN or infinite values for task '{task}' {what}.");
                    }
                    return found;
                },
                features => features?.Values.Where(t => t is not null) ?? []);
            return problems;
        });
    }
}
