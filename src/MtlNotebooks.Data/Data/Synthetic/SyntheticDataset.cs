using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>
/// A number of synthetic scenes (<see cref="SyntheticScenes"/>), rendered once into contiguous CPU
/// tensors. Images are ImageNet-normalised float32 [N,3,H,W]; labels follow <see cref="IMultiTaskDataset"/>:
/// semseg and human_parts int64 [N,H,W], depth float32 [N,1,H,W] (0 = invalid), normals float32 [N,3,H,W],
/// edge and sal float32 [N,1,H,W]. Sample i of a split is scene <see cref="SceneIndex"/>(split, i) of the seed's
/// stream, so a sample does not depend on the count and can be regenerated with <see cref="SyntheticScenes.Generate(int, int, int, int, SceneOptions)"/>.
/// Dispose it to free the tensors.
/// </summary>
public sealed class SyntheticDataset : IMultiTaskDataset, IDisposable
{
    /// <summary>The tasks every synthetic data set has labels for.</summary>
    public static IReadOnlyList<string> TaskNames { get; } = ["semseg", "depth", "normals", "edge", "sal", "human_parts"];

    private readonly Tensor _images;
    private readonly Dictionary<string, Tensor> _labels;
    private bool _disposed;

    private SyntheticDataset(string name, SyntheticSplit split, int seed, int height, int width, Tensor images, Dictionary<string, Tensor> labels)
    {
        (Name, Split, Seed, Height, Width, _images, _labels) = (name, split, seed, height, width, images, labels);
        Count = (int)images.shape[0];
    }

    public string Name { get; }
    public SyntheticSplit Split { get; }
    public int Seed { get; }
    public int Count { get; }
    public int Height { get; }
    public int Width { get; }
    public IReadOnlyList<string> Tasks => TaskNames;

    /// <summary>The scene index of sample <paramref name="sample"/> of a split: even for train, odd for validation.</summary>
    public static int SceneIndex(SyntheticSplit split, int sample)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sample);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sample, int.MaxValue / 2 - 1);
        return split switch
        {
            SyntheticSplit.Train => 2 * sample,
            SyntheticSplit.Validation => 2 * sample + 1,
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
        };
    }

    /// <summary>Renders <paramref name="count"/> scenes of <paramref name="split"/> in parallel; the result
    /// depends only on the arguments. <paramref name="options"/> dials how much the tasks compete (<see cref="SceneOptions"/>).</summary>
    public static SyntheticDataset Create(SyntheticSplit split, int count, int height, int width, int seed, SceneOptions? options = null)
    {
        options ??= SceneOptions.Default;
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, int.MaxValue / 2);
        SyntheticScenes.ValidateSize(height, width);
        _ = SceneIndex(split, 0);   // rejects unknown splits before the work
        long pixels = (long)height * width;
        if (count * pixels * 3 > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} scenes of {height}×{width} do not fit in one tensor; use fewer or smaller scenes.");
        int n = (int)pixels;

        var images = new float[count * 3 * n];
        var semseg = new long[count * n];
        var parts = new long[count * n];
        var depth = new float[count * n];
        var normals = new float[count * 3 * n];
        var edges = new float[count * n];
        var saliency = new float[count * n];
        var mean = LabelImages.ImageNetMean;
        var std = LabelImages.ImageNetStd;

        // Each scene depends only on its index, so the thread schedule cannot change the result.
        Parallel.For(0, count, i =>
        {
            var scene = SyntheticScenes.Generate(seed, SceneIndex(split, i), height, width, options);
            for (int c = 0; c < 3; c++)
            {
                int offset = (i * 3 + c) * n;
                float m = mean[c], s = std[c];
                for (int p = 0; p < n; p++) images[offset + p] = (scene.Image[c * n + p] - m) / s;
            }
            Array.Copy(scene.Normals, 0, normals, i * 3 * n, 3 * n);
            Array.Copy(scene.Depth, 0, depth, i * n, n);
            for (int p = 0; p < n; p++)
            {
                semseg[i * n + p] = scene.Semseg[p];
                parts[i * n + p] = scene.HumanParts[p];
                edges[i * n + p] = scene.Edges[p];
                saliency[i * n + p] = scene.Saliency[p];
            }
        });

        var labels = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Tensor? imageTensor = null;
        try
        {
            // Kept out of any caller's dispose scope: the data set owns these until Dispose.
            imageTensor = Keep(tensor(images, new long[] { count, 3, height, width }));
            labels["semseg"] = Keep(tensor(semseg, new long[] { count, height, width }));
            labels["depth"] = Keep(tensor(depth, new long[] { count, 1, height, width }));
            labels["normals"] = Keep(tensor(normals, new long[] { count, 3, height, width }));
            labels["edge"] = Keep(tensor(edges, new long[] { count, 1, height, width }));
            labels["sal"] = Keep(tensor(saliency, new long[] { count, 1, height, width }));
            labels["human_parts"] = Keep(tensor(parts, new long[] { count, height, width }));
        }
        catch
        {
            imageTensor?.Dispose();
            foreach (var t in labels.Values) t.Dispose();
            throw;
        }
        var name = $"synthetic/{(split == SyntheticSplit.Train ? "train" : "validation")}";
        return new SyntheticDataset(name, split, seed, height, width, imageTensor, labels);
    }

    /// <summary>A train and a validation set from the same seed (disjoint scenes).</summary>
    public static (SyntheticDataset Train, SyntheticDataset Validation) CreateSplits(int trainCount, int validationCount, int height, int width, int seed,
        SceneOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(validationCount, 1);
        var train = Create(SyntheticSplit.Train, trainCount, height, width, seed, options);
        try
        {
            return (train, Create(SyntheticSplit.Validation, validationCount, height, width, seed, options));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>Copies of the samples at <paramref name="indices"/> (in that order, repeats allowed); the batch
    /// owns its tensors.</summary>
    public MultiTaskBatch GetBatch(IReadOnlyList<int> indices)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new ArgumentException("A batch needs at least one index.", nameof(indices));
        var idx = new long[indices.Count];
        for (int i = 0; i < idx.Length; i++)
        {
            int k = indices[i];
            if (k < 0 || k >= Count)
                throw new ArgumentOutOfRangeException(nameof(indices), k, $"Index {k} is outside {Name} (0..{Count - 1}).");
            idx[i] = k;
        }
        using var index = tensor(idx);
        var images = _images.index_select(0, index);
        var labels = new List<KeyValuePair<string, Tensor>>(TaskNames.Count);
        try
        {
            foreach (var task in TaskNames) labels.Add(new(task, _labels[task].index_select(0, index)));
            return new MultiTaskBatch(images, new TaskLabels(labels));
        }
        catch
        {
            images.Dispose();
            foreach (var kv in labels) kv.Value.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _images.Dispose();
        foreach (var t in _labels.Values) t.Dispose();
    }

    private static Tensor Keep(Tensor t)
    {
        t.DetachFromDisposeScope();
        return t;
    }
}
