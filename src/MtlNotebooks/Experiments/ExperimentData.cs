using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;

namespace MtlNotebooks.Experiments;

/// <summary>Train and validation splits for an experiment: synthetic scenes, or a real data set from its folder.</summary>
internal sealed class ExperimentData : IDisposable
{
    private ExperimentData(IMultiTaskDataset train, IMultiTaskDataset validation, string description, (int Height, int Width) imageSize) =>
        (Train, Validation, Description, ImageSize) = (train, validation, description, imageSize);

    public IMultiTaskDataset Train { get; }
    public IMultiTaskDataset Validation { get; }
    public string Description { get; }

    /// <summary>The images' height and width.</summary>
    public (int Height, int Width) ImageSize { get; }

    /// <summary>The splits of <see cref="QuickExperimentOptions.Dataset"/>; an <see cref="ArgumentException"/> when
    /// <see cref="QuickExperimentOptions.DataRoot"/> does not fit it.</summary>
    public static ExperimentData Create(QuickExperimentOptions options)
    {
        var preset = options.Dataset;
        if (preset.IsSynthetic)
        {
            if (options.DataRoot is not null)
                throw new ArgumentException($"QuickExperimentOptions.DataRoot is for the real data sets ({RealDataSetNames}); '{preset.Name}' is synthetic.");
            return Synthetic(options, preset);
        }
        if (options.Scenes != SceneOptions.Default)
            throw new ArgumentException($"QuickExperimentOptions.Scenes sets how the synthetic scenes are drawn; '{preset.Name}' is read from disk. Leave it at SceneOptions.Default.");
        if (options.DataRoot is null)
            throw new ArgumentException($"Data set '{preset.Name}' is read from disk: set QuickExperimentOptions.DataRoot to its root folder, laid out as data-manifests/{preset.ManifestFile} describes.");
        return Real(options, preset, options.DataRoot);
    }

    /// <summary>The presets read from disk, for messages: "nyud, pascal".</summary>
    private static string RealDataSetNames => string.Join(", ", DataSetPresets.All.Where(p => !p.IsSynthetic).Select(p => p.Name));

    private static ExperimentData Synthetic(QuickExperimentOptions options, DataSetPreset preset)
    {
        var (train, validation) = SyntheticDataset.CreateSplits(options.TrainSamples, options.ValidationSamples, options.ImageSize, options.ImageSize, options.Seed, options.Scenes);
        return new ExperimentData(train, validation, preset.Description, (options.ImageSize, options.ImageSize));
    }

    private static ExperimentData Real(QuickExperimentOptions options, DataSetPreset preset, string root)
    {
        var manifest = DataManifest.ForDataSet(preset.Name);
        int height = options.ImageSize, width = (int)Math.Round((double)options.ImageSize * preset.Width / preset.Height);
        var decoded = preset.TaskNames.Where(n => manifest.Task(n).IsSupported).ToList();
        var skipped = preset.TaskNames.Except(decoded).ToList();
        var loader = new LoaderOptions { Height = height, Width = width, Seed = options.Seed, Tasks = decoded };
        return new ExperimentData(
            ManifestDataset.Open(manifest, root, "train", loader with { Augment = true, Limit = options.TrainSamples }),
            ManifestDataset.Open(manifest, root, "val", loader with { Limit = options.ValidationSamples }),
            $"{manifest.Name} from {root}" + (skipped.Count == 0 ? "" : $" (not trained: {string.Join(", ", skipped)}, stored in a format this version does not decode)"),
            (height, width));
    }

    public void Dispose()
    {
        (Train as IDisposable)?.Dispose();
        (Validation as IDisposable)?.Dispose();
    }
}
