using static TorchSharp.torch;

namespace MtlNotebooks.Data;

/// <summary>
/// A split of a real data set in its reference on-disk layout (<see cref="DataManifest"/>), as an
/// <see cref="IMultiTaskDataset"/>. Each batch decodes its samples in parallel on all cores (8 augmented NYUD samples at
/// 480×640 take about 0.5 s on 2 cores, a small part of a training step at that size).
/// Images are ImageNet-normalised; labels follow <see cref="IMultiTaskDataset"/>. Geometry (scale, crop, flip) is applied
/// identically to the image and every label: bilinear for the image and normals (renormalised), nearest for class maps,
/// depth, edges and saliency; areas outside the image are 0 in the image and ignore (255) / invalid (0) in labels.
/// A flip negates the normals' x component so they stay consistent with the mirrored image; a zoom by s divides depth by
/// s (the references' ScaleNRotate: a closer view of the same scene). PASCAL's random rotation (±20°) and zoom-out
/// (scales below 1) are not applied: zoom factors are ≥ 1 here.
/// </summary>
public sealed class ManifestDataset : IMultiTaskDataset
{
    private readonly DataRootPath _root;
    private readonly IReadOnlyList<ManifestTask> _tasks;
    private readonly int[] _draws;
    private readonly object _drawLock = new();

    private ManifestDataset(DataManifest manifest, DataRootPath root, ManifestSplit split, IReadOnlyList<string> ids, IReadOnlyList<ManifestTask> tasks, LoaderOptions options)
    {
        (Manifest, _root, SplitName, Ids, _tasks, Options) = (manifest, root, split.Name, ids, tasks, options);
        _draws = new int[ids.Count];
        Tasks = tasks.Select(t => t.Name).ToArray();
    }

    public DataManifest Manifest { get; }
    public string SplitName { get; }
    public LoaderOptions Options { get; }

    /// <summary>The sample ids of the split, in list order.</summary>
    public IReadOnlyList<string> Ids { get; }

    public string Name => $"{Manifest.Id}/{SplitName}";
    public int Count => Ids.Count;
    public int Height => Options.Height;
    public int Width => Options.Width;
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>Opens split <paramref name="split"/> of the data set under <paramref name="root"/>. Reads the split list
    /// only; files are decoded when a batch asks for them. A manifest path or an id that leaves the root is a
    /// <see cref="DataSetException"/> naming the field or the list's line (<see cref="ManifestPaths"/>).</summary>
    public static ManifestDataset Open(DataManifest manifest, string root, string split, LoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        options ??= new LoaderOptions();
        if (options.Height < 1 || options.Width < 1) throw new ArgumentException($"LoaderOptions: size must be positive, got {options.Height}x{options.Width}.", nameof(options));
        if (options.Scales.Count == 0 || options.Scales.Any(s => !(s >= 1))) throw new ArgumentException("LoaderOptions: Scales must be zoom factors >= 1.", nameof(options));
        if (!Directory.Exists(root)) throw new DataSetException(root, $"is not a folder; expected the {manifest.Name} root ({manifest.Source.Notes})");
        var s = manifest.Split(split);
        var paths = new DataRootPath(root);
        if (ManifestPaths.CheckFields(manifest, paths) is [var outside, ..]) throw outside;
        var listPath = ManifestPaths.List(manifest, paths, s);
        ImageIO.RequireFile(listPath);
        var ids = new List<string>();
        foreach (var (line, id) in ManifestPaths.ReadList(listPath))
        {
            ManifestPaths.CheckId(manifest, paths, listPath, line, id);
            ids.Add(id);
        }
        if (options.Limit is int limit) ids = ids.Take(limit).ToList();
        if (ids.Count == 0) throw new DataSetException(listPath, "lists no samples.");

        List<ManifestTask> tasks;
        if (options.Tasks is null) tasks = manifest.Tasks.Where(t => t.IsSupported).ToList();
        else
        {
            tasks = options.Tasks.Select(manifest.Task).ToList();
            var unsupported = tasks.Where(t => !t.IsSupported).ToList();
            if (unsupported.Count > 0)
                throw new NotSupportedException(string.Join(" ", unsupported.Select(t =>
                    $"{manifest.Name} task '{t.Name}' is stored as '{t.Format}' ({t.Folders[0]}/{t.Pattern}), which this version cannot decode; " +
                    "leave the task out, or convert the labels to PNG and point the manifest's format at png-classes / png-binary.")));
        }
        return new ManifestDataset(manifest, paths, s, ids, tasks, options);
    }

    /// <summary>The path of sample <paramref name="id"/>'s image.</summary>
    public string ImagePath(string id) => ManifestPaths.Image(Manifest, _root, id);

    /// <summary>The path of sample <paramref name="id"/>'s label for <paramref name="task"/>: the first folder where it
    /// exists, else the first folder (for the error message).</summary>
    public string LabelPath(ManifestTask task, string id) => ManifestPaths.Label(_root, task, id);

    /// <summary>The class-map file whose LabelMap masks <paramref name="task"/>'s labels of sample <paramref name="id"/>,
    /// if the manifest names one.</summary>
    internal string? MaskPath(ManifestTask task, string id) => ManifestPaths.Mask(_root, task, id);

    public MultiTaskBatch GetBatch(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new ArgumentException("A batch needs at least one index.", nameof(indices));
        var draws = new int[indices.Count];
        lock (_drawLock)
        {
            for (int i = 0; i < indices.Count; i++)
            {
                int k = indices[i];
                if (k < 0 || k >= Count) throw new ArgumentOutOfRangeException(nameof(indices), k, $"Index {k} is outside {Name} (0..{Count - 1}).");
                draws[i] = _draws[k]++;
            }
        }
        int b = indices.Count, h = Height, w = Width, n = h * w;
        var images = new float[b * 3 * n];
        var labels = _tasks.ToDictionary(t => t.Name, t => new float[b * Channels(t) * n]);
        // Decoding is independent per sample, so the schedule cannot change the result.
        try
        {
            Parallel.For(0, b, i =>
            {
                var sample = LabelDecoder.Load(this, Ids[indices[i]]);
                var geometry = Geometry.Draw(Options, sample.Height, sample.Width, indices[i], draws[i]);
                geometry.Image(sample.Image, images.AsSpan(i * 3 * n, 3 * n), h, w);
                foreach (var task in _tasks)
                {
                    int c = Channels(task);
                    geometry.Label(task, sample.Labels[task.Name], labels[task.Name].AsSpan(i * c * n, c * n), h, w);
                }
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0 && ex.InnerExceptions[0] is DataSetException)
        {
            // The first bad file, with its own stack trace, rather than the parallel loop's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            throw;
        }

        var result = new List<KeyValuePair<string, Tensor>>();
        var imageTensor = tensor(images, new long[] { b, 3, h, w });
        foreach (var task in _tasks)
        {
            var values = labels[task.Name];
            result.Add(new(task.Name, IsClassMap(task)
                ? tensor(values.Select(v => (long)v).ToArray(), new long[] { b, h, w })
                : tensor(values, new long[] { b, Channels(task), h, w })));
        }
        return new MultiTaskBatch(imageTensor, new TaskLabels(result));
    }

    internal static int Channels(ManifestTask task) => task.Format is "npy-normals" or "png-normals" ? 3 : 1;

    internal static bool IsClassMap(ManifestTask task) => task.Format is "png-classes" or "mat-human-parts";
}
