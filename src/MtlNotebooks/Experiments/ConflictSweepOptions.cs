using MtlNotebooks.Training;

namespace MtlNotebooks.Experiments;

/// <summary>Settings of <see cref="ConflictSweep"/>. The defaults train every network until its validation curves have
/// flattened (8 epochs of 1,024 scenes at 48 × 48; about 50 s per network on 2 cores). Enough scenes matter: on 256 the
/// single-task networks overfit and sharing wins by regularising them, which hides any competition between the tasks.</summary>
public sealed record ConflictSweepOptions
{
    public int ImageSize { get; init; } = 48;
    public int TrainSamples { get; init; } = 1024;
    public int ValidationSamples { get; init; } = 64;
    public int Epochs { get; init; } = 8;
    public int BatchSize { get; init; } = 8;

    /// <summary>Channels of the first stage of the shared SmallResNet: a narrow encoder, so the tasks compete for it.</summary>
    public int Width { get; init; } = 8;

    /// <summary>Seeds 0 … <see cref="Seeds"/> − 1; each draws its own scenes, initialisation and data order.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Validation batches the gradient cosines are averaged over.</summary>
    public int AlignmentBatches { get; init; } = 8;

    public IOptimizerSpec Optimizer { get; init; } = Optimizers.Adam(learningRate: 2e-3);

    /// <summary>A seconds-long configuration with the same code paths.</summary>
    public static ConflictSweepOptions Smoke => new()
    {
        ImageSize = 32, TrainSamples = 16, ValidationSamples = 16, Epochs = 1, Seeds = 2, AlignmentBatches = 2,
    };

    /// <summary>Every problem with these settings, each naming its setting.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        void AtLeast(string name, int value, int min)
        {
            if (value < min) problems.Add($"ConflictSweepOptions.{name} is {value}; it must be at least {min}.");
        }
        AtLeast(nameof(ImageSize), ImageSize, Data.Synthetic.SyntheticScenes.MinSize);
        AtLeast(nameof(Epochs), Epochs, 1);
        AtLeast(nameof(BatchSize), BatchSize, 1);
        AtLeast(nameof(Width), Width, 1);
        AtLeast(nameof(Seeds), Seeds, 2);
        AtLeast(nameof(AlignmentBatches), AlignmentBatches, 1);
        AtLeast(nameof(TrainSamples), TrainSamples, BatchSize);
        if (ValidationSamples < BatchSize)
            problems.Add($"ConflictSweepOptions.ValidationSamples is {ValidationSamples}; the gradient cosines need one batch of {BatchSize} at least.");
        return problems;
    }
}
