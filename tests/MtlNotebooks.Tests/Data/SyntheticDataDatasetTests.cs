using System.Numerics;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using SkiaSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Data;

/// <summary>The tensor data set and its preview.</summary>
[Collection("Torch")]
public sealed class SyntheticDataDatasetTests
{
    private static bool Same(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.eq(b).all().item<bool>();
    }

    [Fact]
    public void Create_ShapesDtypesAndTasks()
    {
        using var ds = SyntheticDataset.Create(SyntheticSplit.Train, 6, 32, 48, 1);
        Assert.Equal("synthetic/train", ds.Name);
        Assert.Equal((6, 32, 48), (ds.Count, ds.Height, ds.Width));
        Assert.Equal(new[] { "semseg", "depth", "normals", "edge", "sal", "human_parts" }, ds.Tasks);
        using var batch = ds.GetBatch([0, 5, 2]);
        Assert.Equal(3, batch.Size);
        Assert.Equal(new long[] { 3, 3, 32, 48 }, batch.Images.shape);
        Assert.Equal(ScalarType.Float32, batch.Images.dtype);
        var expected = new Dictionary<string, (long[] Shape, ScalarType Type)>
        {
            ["semseg"] = (new long[] { 3, 32, 48 }, ScalarType.Int64),
            ["human_parts"] = (new long[] { 3, 32, 48 }, ScalarType.Int64),
            ["depth"] = (new long[] { 3, 1, 32, 48 }, ScalarType.Float32),
            ["normals"] = (new long[] { 3, 3, 32, 48 }, ScalarType.Float32),
            ["edge"] = (new long[] { 3, 1, 32, 48 }, ScalarType.Float32),
            ["sal"] = (new long[] { 3, 1, 32, 48 }, ScalarType.Float32),
        };
        Assert.Equal(ds.Tasks, batch.Labels.Tasks);
        foreach (var (task, (shape, type)) in expected)
        {
            Assert.Equal(shape, batch.Labels[task].shape);
            Assert.Equal(type, batch.Labels[task].dtype);
        }
    }

    [Fact]
    public void Samples_AreTheScenesOfTheSplit_Normalised()
    {
        using var ds = SyntheticDataset.Create(SyntheticSplit.Validation, 3, 24, 24, 42);
        var scene = SyntheticScenes.Generate(42, SyntheticDataset.SceneIndex(SyntheticSplit.Validation, 2), 24, 24);
        using var batch = ds.GetBatch([2]);
        Assert.Equal(scene.Semseg.Select(b => (long)b), batch.Labels["semseg"].data<long>().ToArray());
        Assert.Equal(scene.HumanParts.Select(b => (long)b), batch.Labels["human_parts"].data<long>().ToArray());
        Assert.Equal(scene.Depth, batch.Labels["depth"].data<float>().ToArray());
        Assert.Equal(scene.Normals, batch.Labels["normals"].data<float>().ToArray());
        Assert.Equal(scene.Edges.Select(b => (float)b), batch.Labels["edge"].data<float>().ToArray());
        Assert.Equal(scene.Saliency.Select(b => (float)b), batch.Labels["sal"].data<float>().ToArray());
        var image = batch.Images.data<float>().ToArray();
        int n = 24 * 24;
        for (int c = 0; c < 3; c++)
        for (int p = 0; p < n; p += 7)
            Assert.Equal(scene.Image[c * n + p], image[c * n + p] * LabelImages.ImageNetStd[c] + LabelImages.ImageNetMean[c], 4);
    }

    [Fact]
    public void Create_IsDeterministic_AndIndependentOfCount()
    {
        using var a = SyntheticDataset.Create(SyntheticSplit.Train, 4, 32, 32, 8);
        using var b = SyntheticDataset.Create(SyntheticSplit.Train, 9, 32, 32, 8);
        using var ba = a.GetBatch([0, 1, 2, 3]);
        using var bb = b.GetBatch([0, 1, 2, 3]);
        Assert.True(Same(ba.Images, bb.Images));
        foreach (var task in a.Tasks) Assert.True(Same(ba.Labels[task], bb.Labels[task]), task);
    }

    [Fact]
    public void CreateSplits_TrainAndValidationNeverShareAScene()
    {
        var (train, validation) = SyntheticDataset.CreateSplits(40, 40, 16, 16, 5);
        using (train)
        using (validation)
        {
            Assert.Equal("synthetic/validation", validation.Name);
            using var tb = train.GetBatch(Enumerable.Range(0, 40).ToArray());
            using var vb = validation.GetBatch(Enumerable.Range(0, 40).ToArray());
            using var t = tb.Images.reshape(40, -1);
            using var v = vb.Images.reshape(40, -1);
            using var distances = cdist(t, v);
            using var nearest = distances.min();
            Assert.True(nearest.item<float>() > 1f, "a validation image equals a train image");
        }
        Assert.NotEqual(SyntheticDataset.SceneIndex(SyntheticSplit.Train, 3), SyntheticDataset.SceneIndex(SyntheticSplit.Validation, 3));
    }

    [Fact]
    public void GetBatch_ReturnsIndependentTensors()
    {
        using var ds = SyntheticDataset.Create(SyntheticSplit.Train, 3, 16, 16, 2);
        float[] before;
        using (var first = ds.GetBatch([1]))
        {
            before = first.Images.data<float>().ToArray();
            first.Images.fill_(0);
            first.Labels["depth"].fill_(-1);
        }
        using var again = ds.GetBatch([1, 1]);
        using (var sample = again.Images[0]) Assert.Equal(before, sample.data<float>().ToArray());
        using (var min = again.Labels["depth"].min()) Assert.True(min.item<float>() >= 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.GetBatch([3]));
        Assert.Throws<ArgumentException>(() => ds.GetBatch([]));
    }

    [Fact]
    public void Dispose_FreesTensors_ButNotBatches()
    {
        var ds = SyntheticDataset.Create(SyntheticSplit.Train, 2, 16, 16, 2);
        using var batch = ds.GetBatch([0]);
        ds.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ds.GetBatch([0]));
        Assert.Equal(16, batch.Labels["semseg"].shape[2]);
        using var total = batch.Images.abs().sum();
        Assert.True(total.item<float>() > 0);
    }

    [Fact]
    public void Create_InvalidArguments_NameTheParameter()
    {
        Assert.Equal("height", Assert.ThrowsAny<ArgumentException>(() => SyntheticDataset.Create(SyntheticSplit.Train, 2, 8, 16, 0)).ParamName);
        Assert.Equal("width", Assert.ThrowsAny<ArgumentException>(() => SyntheticDataset.Create(SyntheticSplit.Train, 2, 16, 15, 0)).ParamName);
        Assert.Equal("count", Assert.ThrowsAny<ArgumentException>(() => SyntheticDataset.Create(SyntheticSplit.Train, 0, 16, 16, 0)).ParamName);
    }

    [Fact]
    public void Create_InsideADisposeScope_OutlivesTheScope()
    {
        SyntheticDataset ds;
        using (NewDisposeScope()) ds = SyntheticDataset.Create(SyntheticSplit.Train, 2, 16, 16, 3);
        using (ds)
        using (var batch = ds.GetBatch([0, 1]))
            Assert.Equal(2, batch.Size);
    }

    [Fact]
    public void Preview_WritesAPngOfTheExpectedSize()
    {
        using var ds = SyntheticDataset.Create(SyntheticSplit.Train, 5, 24, 32, 4);
        var folder = Path.Combine(Path.GetTempPath(), "mtl-synthetic-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(folder, "preview.png");
        try
        {
            SyntheticPreview.SavePng(path, ds, samples: 3, scale: 2);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            using var bitmap = SKBitmap.Decode(bytes);
            int gap = SyntheticPreview.Gap, columns = SyntheticPreview.Columns.Count;
            Assert.Equal(7, columns);
            Assert.Equal(columns * 32 * 2 + (columns - 1) * gap, bitmap.Width);
            Assert.Equal(3 * 24 * 2 + 2 * gap, bitmap.Height);
            Assert.False(File.Exists(path + ".tmp"));

            // More samples than the data set has: one row per sample, overwriting the file.
            SyntheticPreview.SavePng(path, ds, samples: 50);
            using var all = SKBitmap.Decode(File.ReadAllBytes(path));
            Assert.Equal(5 * 24 + 4 * gap, all.Height);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
