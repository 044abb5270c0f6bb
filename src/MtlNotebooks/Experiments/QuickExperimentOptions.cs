using System.Globalization;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Training;

namespace MtlNotebooks.Experiments;

/// <summary>Settings of the quick experiment. The defaults finish in about three minutes on a 2-core CPU; raise
/// image size, samples, epochs and width to scale up.</summary>
public sealed record QuickExperimentOptions
{
    public int ImageSize { get; init; } = 64;
    public int TrainSamples { get; init; } = 512;
    public int ValidationSamples { get; init; } = 128;
    public int Epochs { get; init; } = 15;
    public int BatchSize { get; init; } = 16;
    public int Width { get; init; } = 16;
    public int Seed { get; init; }

    /// <summary>How many seeds every network is trained with: <see cref="Seed"/>, <see cref="Seed"/> + 1, …; each sets the
    /// weight initialisation and the data order. With more than one, the Δm table reports each primary metric and Δm as
    /// mean ± std over the seeds. The data (the synthetic scenes, the real sets' augmentation) stay those of
    /// <see cref="Seed"/>, so the spread is that of training alone. At least 1; 1 (the default) is the single-seed run.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>The seeds <see cref="Seeds"/> asks for, in the order they are run.</summary>
    public IReadOnlyList<int> SeedList() => Enumerable.Range(Seed, Seeds).ToArray();
    public string Device { get; init; } = "cpu";

    /// <summary>Images fed channels-last, so convolutions run oneDNN's channels-last kernels (<see cref="MultiTaskNetBuilder.WithChannelsLast"/>).</summary>
    public bool ChannelsLast { get; init; }
    public IOptimizerSpec Optimizer { get; init; } = Optimizers.Adam(learningRate: 2e-3);

    /// <summary>The run folder (checkpoints, CSVs, report, <c>run.json</c>); null writes to the next free
    /// <c>runs/quick/version_N</c> (<see cref="RunFolder.NextVersion"/>), so no run replaces another.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>What to do when <see cref="OutputDirectory"/> already holds a run: refuse (the default), resume it, or overwrite it.</summary>
    public ExistingRun ExistingRun { get; init; } = ExistingRun.Refuse;

    /// <summary>Multi-task networks compared with the single-task baselines, each with its name
    /// (<see cref="ExperimentArm.Registered"/> names an entry of <see cref="MtlNotebooks.Architectures.All"/> by its key).
    /// The baselines are always run first, named <see cref="QuickExperiment.BaselineName"/>.</summary>
    public IReadOnlyList<ExperimentArm> Architectures { get; init; } = [ExperimentArm.Registered("hard-sharing")];

    /// <summary>The data set and task set (<see cref="DataSetPresets"/>): <see cref="DataSetPresets.Synthetic"/> (semseg,
    /// depth, normals; the default), the synthetic stand-ins of NYUD-v2 and PASCAL-Context, or the real sets read from
    /// <see cref="DataRoot"/>. A preset with loss weights trains with them (<see cref="DataSetPreset.Balancer"/>).</summary>
    public DataSetPreset Dataset { get; init; } = DataSetPresets.Synthetic;

    /// <summary>Root folder of a real data set in its reference layout (data-manifests/*.json); real sets are loaded at
    /// <see cref="ImageSize"/> rows (columns by the data set's aspect), the first <see cref="TrainSamples"/> /
    /// <see cref="ValidationSamples"/> ids of train / val. Must be null for a synthetic preset.</summary>
    public string? DataRoot { get; init; }

    /// <summary>How the synthetic scenes are drawn, in particular how much their tasks compete
    /// (<see cref="SceneOptions.ClassByColour"/>, <see cref="SceneOptions.ClassByTexture"/>); synthetic presets only.</summary>
    public SceneOptions Scenes { get; init; } = SceneOptions.Default;

    /// <summary>The backbone of every network (narrow variants of <see cref="Backbones.All"/> train on a CPU); null uses
    /// <see cref="Backbones.SmallResNet"/> of <see cref="Width"/>.</summary>
    public IBackbone? Backbone { get; init; }

    /// <summary>The head of the single-task baselines and of every <see cref="IHeadedArchitecture"/> in
    /// <see cref="Architectures"/> (the decoder-focused architectures bring their own); null gives the baselines
    /// <see cref="Heads.Conv"/> and leaves each architecture its own head.</summary>
    public IHead? Head { get; init; }

    /// <summary>Validation scenes shown in the report's prediction grid.</summary>
    public int PreviewSamples { get; init; } = 4;

    /// <summary>The loss balancer of the multi-task networks (<see cref="Balancers.All"/>); null keeps the preset's weights
    /// (uniform by default). The single-task baselines keep the preset's weights: nothing is shared there to balance.</summary>
    public ILossBalancer? Balancer { get; init; }

    /// <summary>Every setting that decides the results, as text: what <c>run.json</c> records and a resumed run must repeat.</summary>
    public IReadOnlyDictionary<string, string> Settings()
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["dataset"] = Dataset.Name,
            ["dataRoot"] = DataRoot is null ? "" : Path.GetFullPath(DataRoot),
            ["imageSize"] = ImageSize.ToString(CultureInfo.InvariantCulture),
            ["trainSamples"] = TrainSamples.ToString(CultureInfo.InvariantCulture),
            ["validationSamples"] = ValidationSamples.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
            ["batchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture),
            ["width"] = Width.ToString(CultureInfo.InvariantCulture),
            ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
            ["device"] = Device,
            ["optimizer"] = Optimizer.Name,
            ["learningRate"] = Optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["architectures"] = string.Join("; ", Architectures.Select(a => a.Setting)),
            ["backbone"] = Backbone?.Name ?? "",
            ["head"] = Head?.Name ?? "",
            ["balancer"] = Balancer?.Name ?? "",
        };
        // A single-seed run records no seed count, so runs started before there was one stay resumable.
        // Recorded only when on (or not at their default), so runs started before there was a choice stay resumable.
        if (ChannelsLast) settings["memoryFormat"] = "channels-last";
        if (Scenes.ClassByColour != 0) settings["classByColour"] = Scenes.ClassByColour.ToString("R", CultureInfo.InvariantCulture);
        if (Scenes.ClassByTexture != 0) settings["classByTexture"] = Scenes.ClassByTexture.ToString("R", CultureInfo.InvariantCulture);
        if (Seeds != 1) settings["seeds"] = Seeds.ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>A seconds-long smoke configuration with the same code paths.</summary>
    public static QuickExperimentOptions Tiny => new()
    {
        ImageSize = 32, TrainSamples = 32, ValidationSamples = 16, Epochs = 1, BatchSize = 8, Width = 8, PreviewSamples = 2,
    };
}
