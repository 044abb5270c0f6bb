using System.Numerics;
using MtlNotebooks.Data;
using MtlNotebooks.Data.Synthetic;
using SkiaSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Data;

/// <summary>The scene generator: pure arrays, no libtorch.</summary>
public sealed class SyntheticDataSceneTests
{
    private static readonly Lazy<SyntheticScene[]> Many = new(() =>
        Enumerable.Range(0, 200).Select(i => SyntheticScenes.Generate(11, i, 64, 64)).ToArray());

    [Fact]
    public void Generate_SameSeedAndIndex_GivesIdenticalArrays()
    {
        var a = SyntheticScenes.Generate(3, 17, 48, 72);
        var b = SyntheticScenes.Generate(3, 17, 48, 72);
        Assert.Equal(a.Image, b.Image);
        Assert.Equal(a.Semseg, b.Semseg);
        Assert.Equal(a.Depth, b.Depth);
        Assert.Equal(a.Normals, b.Normals);
        Assert.Equal(a.Edges, b.Edges);
        Assert.Equal(a.Saliency, b.Saliency);
        Assert.Equal(a.HumanParts, b.HumanParts);
    }

    [Fact]
    public void Generate_OtherIndexOrSeed_GivesOtherScene()
    {
        var a = SyntheticScenes.Generate(3, 17, 64, 64);
        Assert.NotEqual(a.Image, SyntheticScenes.Generate(3, 18, 64, 64).Image);
        Assert.NotEqual(a.Depth, SyntheticScenes.Generate(4, 17, 64, 64).Depth);
    }

    [Theory]
    [InlineData(15, 64, "height")]
    [InlineData(64, 8, "width")]
    [InlineData(0, 0, "height")]
    [InlineData(64, 5000, "width")]
    public void Generate_InvalidSize_NamesTheParameter(int height, int width, string parameter)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => SyntheticScenes.Generate(0, 0, height, width));
        Assert.Equal(parameter, error.ParamName);
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(16, 16)]
    [InlineData(40, 96)]
    [InlineData(80, 32)]
    public void Labels_AreMutuallyConsistent(int height, int width)
    {
        for (int index = 0; index < 25; index++)
        {
            var s = SyntheticScenes.Generate(5, index, height, width);
            int n = height * width;
            Assert.Equal(3 * n, s.Image.Length);
            Assert.Equal(3 * n, s.Normals.Length);
            Assert.All(s.Image, v => Assert.InRange(v, 0f, 1f));
            for (int v = 0; v < height; v++)
            for (int u = 0; u < width; u++)
            {
                int p = v * width + u;
                byte c = s.Semseg[p];
                Assert.InRange(c, 0, SyntheticScenes.SemanticClassCount - 1);
                bool boundary = (u > 0 && s.Semseg[p - 1] != c) || (u < width - 1 && s.Semseg[p + 1] != c)
                                || (v > 0 && s.Semseg[p - width] != c) || (v < height - 1 && s.Semseg[p + width] != c);
                Assert.Equal(boundary ? 1 : 0, s.Edges[p]);
                Assert.Equal(c != SyntheticScenes.BackgroundClass ? 1 : 0, s.Saliency[p]);
                Assert.InRange(s.HumanParts[p], 0, SyntheticScenes.HumanPartCount - 1);
                Assert.Equal(c == SyntheticScenes.PersonClass, s.HumanParts[p] != 0);

                var normal = new Vector3(s.Normals[p], s.Normals[n + p], s.Normals[2 * n + p]);
                bool valid = s.SurfaceIds[p] != SyntheticScenes.NoSurface;
                Assert.Equal(valid, s.Depth[p] > 0);
                if (valid)
                {
                    Assert.True(float.IsFinite(s.Depth[p]) && s.Depth[p] < 30, $"depth {s.Depth[p]} at {p}");
                    Assert.InRange(normal.Length(), 0.999f, 1.001f);
                    // Facing the camera: the normal points against the viewing ray.
                    var ray = new Vector3((u - (width - 1) / 2f) / s.Focal, (v - (height - 1) / 2f) / s.Focal, 1);
                    Assert.True(Vector3.Dot(normal, ray) < 1e-4f, $"normal {normal} faces away at {p}");
                }
                else
                {
                    Assert.Equal(Vector3.Zero, normal);
                    Assert.Equal(SyntheticScenes.BackgroundClass, c);
                }
            }
        }
    }

    [Fact]
    public void FloorInterior_NormalIsThePlaneNormal()
    {
        int checkedPixels = 0;
        for (int index = 0; index < 10; index++)
        {
            var s = SyntheticScenes.Generate(2, index, 64, 64);
            int w = s.Width, n = s.Height * w;
            Assert.InRange(s.FloorNormal.Length(), 0.999f, 1.001f);
            Assert.True(s.FloorNormal.Y < -0.9f, "the floor faces up, i.e. towards −y in the camera frame");
            for (int v = 1; v < s.Height - 1; v++)
            for (int u = 1; u < w - 1; u++)
            {
                bool interior = true;
                for (int dv = -1; dv <= 1; dv++)
                for (int du = -1; du <= 1; du++)
                    interior &= s.SurfaceIds[(v + dv) * w + u + du] == SyntheticScenes.FloorSurface;
                if (!interior) continue;
                int p = v * w + u;
                var normal = new Vector3(s.Normals[p], s.Normals[n + p], s.Normals[2 * n + p]);
                double degrees = Math.Acos(Math.Clamp(Vector3.Dot(normal, s.FloorNormal), -1, 1)) * 180 / Math.PI;
                Assert.True(degrees < 1, $"floor normal off by {degrees:F2}° at ({u}, {v}) of scene {index}");
                checkedPixels++;
            }
        }
        Assert.True(checkedPixels > 2000, $"only {checkedPixels} interior floor pixels");
    }

    [Fact]
    public void Normals_AreDerivedFromDepth_PerpendicularToBackProjectedNeighbours()
    {
        int checkedPixels = 0, objectPixels = 0;
        for (int index = 0; index < 5; index++)
        {
            var s = SyntheticScenes.Generate(9, index, 64, 64);
            int w = s.Width, h = s.Height, n = h * w;
            float cx = (w - 1) / 2f, cy = (h - 1) / 2f;
            Vector3 Point(int u, int v)
            {
                float z = s.Depth[v * w + u];
                return new Vector3((u - cx) * z / s.Focal, (v - cy) * z / s.Focal, z);
            }
            for (int v = 1; v < h - 1; v++)
            for (int u = 1; u < w - 1; u++)
            {
                int p = v * w + u, id = s.SurfaceIds[p];
                if (id == SyntheticScenes.NoSurface || s.SurfaceIds[p - 1] != id || s.SurfaceIds[p + 1] != id
                    || s.SurfaceIds[p - w] != id || s.SurfaceIds[p + w] != id) continue;
                var normal = new Vector3(s.Normals[p], s.Normals[n + p], s.Normals[2 * n + p]);
                var du = Vector3.Normalize(Point(u + 1, v) - Point(u - 1, v));
                var dv = Vector3.Normalize(Point(u, v + 1) - Point(u, v - 1));
                Assert.InRange(Vector3.Dot(normal, du), -1e-3f, 1e-3f);
                Assert.InRange(Vector3.Dot(normal, dv), -1e-3f, 1e-3f);
                checkedPixels++;
                if (s.Saliency[p] == 1) objectPixels++;
            }
        }
        Assert.True(checkedPixels > 5000 && objectPixels > 100, $"{checkedPixels} pixels, {objectPixels} on objects");
    }

    [Fact]
    public void Floor_DepthDecreasesDownTheImage()
    {
        // Perspective: on the floor, lower rows are nearer.
        var s = SyntheticScenes.Generate(1, 0, 64, 64);
        int w = s.Width;
        for (int u = 0; u < w; u++)
        for (int v = 1; v < s.Height; v++)
        {
            int p = v * w + u;
            if (s.SurfaceIds[p] == SyntheticScenes.FloorSurface && s.SurfaceIds[p - w] == SyntheticScenes.FloorSurface)
                Assert.True(s.Depth[p] < s.Depth[p - w]);
        }
    }

    [Fact]
    public void ManyScenes_CoverEveryClassPartAndInvalidDepth()
    {
        var scenes = Many.Value;
        var classPixels = new long[SyntheticScenes.SemanticClassCount];
        var partPixels = new long[SyntheticScenes.HumanPartCount];
        foreach (var s in scenes)
        {
            foreach (var c in s.Semseg) classPixels[c]++;
            foreach (var part in s.HumanParts) partPixels[part]++;
        }
        Assert.All(classPixels, count => Assert.True(count > 1000, $"class pixels {string.Join(", ", classPixels)}"));
        Assert.All(partPixels, count => Assert.True(count > 500, $"part pixels {string.Join(", ", partPixels)}"));

        double withPerson = scenes.Count(s => s.Semseg.Contains(SyntheticScenes.PersonClass)) / (double)scenes.Length;
        Assert.InRange(withPerson, 0.45, 0.85);
        double foreground = scenes.Average(s => s.Saliency.Average(b => (double)b));
        Assert.InRange(foreground, 0.05, 0.4);
        Assert.Contains(scenes, s => s.Depth.Contains(0f));          // some windows
        Assert.True(scenes.Count(s => s.Depth.Contains(0f)) < scenes.Length / 2);
        Assert.All(scenes, s => Assert.InRange(s.ObjectClasses.Count, 1, 5));
        Assert.Equal(SyntheticScenes.SemanticClassCount, SyntheticScenes.SemanticClasses.Count);
        Assert.Equal(SyntheticScenes.HumanPartCount, SyntheticScenes.HumanParts.Count);
    }

    [Fact]
    public void DefaultSemanticSegmentation_HasTheSyntheticScenesClassCount()
    {
        // Notebooks, scripts and the README train DenseTasks.SemanticSegmentation() on synthetic scenes: the task's
        // default must cover the scenes' classes, although the task factory does not read them.
        Assert.Equal(SyntheticScenes.SemanticClassCount, DenseTasks.SemanticSegmentation().Classes);
        Assert.Equal(SyntheticScenes.SemanticClassCount, DenseTasks.DefaultSemanticClasses);
    }

    [Fact]
    public void Image_IsSmoothWithinASurface_WithSomeNoise()
    {
        double sum = 0;
        long count = 0;
        foreach (var s in Many.Value.Take(20))
        {
            int w = s.Width, n = s.Height * w;
            for (int v = 0; v < s.Height; v++)
            for (int u = 0; u + 1 < w; u++)
            {
                int p = v * w + u;
                if (s.SurfaceIds[p] == SyntheticScenes.NoSurface || s.SurfaceIds[p + 1] != s.SurfaceIds[p]) continue;
                for (int c = 0; c < 3; c++) sum += Math.Abs(s.Image[c * n + p] - s.Image[c * n + p + 1]);
                count += 3;
            }
        }
        Assert.InRange(sum / count, 0.003, 0.05);
    }

    [Fact]
    public void Image_DependsOnShading_NotOnlyOnClass()
    {
        // Colour alone must not give the class: the same class spans many colours across scenes.
        var scenes = Many.Value.Take(60).ToArray();
        var ballReds = new List<float>();
        foreach (var s in scenes)
        {
            int n = s.Height * s.Width;
            for (int p = 0; p < n; p++)
                if (s.Semseg[p] == SyntheticScenes.BallClass) ballReds.Add(s.Image[p]);
        }
        Assert.True(ballReds.Count > 100);
        Assert.True(ballReds.Max() - ballReds.Min() > 0.5f, "ball colours barely vary");
    }
}

/// <summary>Pictures from arrays and tensors.</summary>
[Collection("Torch")]
public sealed class SyntheticDataLabelImagesTests
{
    [Fact]
    public void ToPng_RoundTripsPixels()
    {
        var rgb = new byte[2 * 3 * 3];
        rgb[0] = 255;                                  // (0,0) red
        rgb[3 * 5 + 2] = 200;                          // (row 1, col 2) blue-ish
        var png = LabelImages.ToPng(rgb, 2, 3);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(3, bitmap.Width);
        Assert.Equal(2, bitmap.Height);
        Assert.Equal(new SKColor(255, 0, 0), bitmap.GetPixel(0, 0));
        Assert.Equal(new SKColor(0, 0, 200), bitmap.GetPixel(2, 1));
        Assert.Throws<ArgumentException>(() => LabelImages.ToPng(rgb, 3, 3));
    }

    [Fact]
    public void Colorize_InvalidValuesAreBlack()
    {
        Assert.Equal(new byte[] { 0, 0, 0 }, LabelImages.ColorizeClasses(new byte[] { 255 }));
        Assert.NotEqual(new byte[] { 0, 0, 0 }, LabelImages.ColorizeClasses(new byte[] { 0 }));
        Assert.Equal(LabelImages.ColorizeClasses(new byte[] { 3, 40 }), LabelImages.ColorizeClasses(new long[] { 3, 40 }));
        var depth = LabelImages.ColorizeDepth(new float[] { 0, 2, 4 });
        Assert.Equal(new byte[] { 0, 0, 0 }, depth[..3]);
        Assert.NotEqual(depth[3..6], depth[6..9]);
        var normals = LabelImages.ColorizeNormals(new float[] { 0, 1, 0, 0, 0, 0 });   // [3, 1, 2]
        Assert.Equal(new byte[] { 0, 0, 0 }, normals[..3]);
        Assert.Equal(new byte[] { 255, 128, 128 }, normals[3..6]);
        Assert.Equal(new byte[] { 0, 0, 0, 255, 255, 255 }, LabelImages.Grayscale(new float[] { 0, 1 }));
    }

    [Fact]
    public void TensorOverloads_MatchArrays_AndLeaveTheInputAlone()
    {
        var s = SyntheticScenes.Generate(0, 1, 16, 16);
        using var depth = tensor(s.Depth, new long[] { 1, 16, 16 });
        using var normals = tensor(s.Normals, new long[] { 3, 16, 16 });
        using var classes = tensor(s.Semseg.Select(b => (long)b).ToArray(), new long[] { 16, 16 });
        using var image = tensor(s.Image, new long[] { 3, 16, 16 });
        Assert.Equal(LabelImages.ColorizeDepth(s.Depth), LabelImages.ColorizeDepth(depth));
        Assert.Equal(LabelImages.ColorizeNormals(s.Normals), LabelImages.ColorizeNormals(normals));
        Assert.Equal(LabelImages.ColorizeClasses(s.Semseg), LabelImages.ColorizeClasses(classes));
        Assert.Equal(LabelImages.ImageToRgb(s.Image, normalized: false), LabelImages.ImageToRgb(image, normalized: false));
        Assert.False(depth.IsInvalid);
        Assert.Equal(s.Depth[5], depth[0, 0, 5].item<float>());
        Assert.Throws<ArgumentException>(() => LabelImages.ColorizeNormals(depth));
    }

    [Fact]
    public void Grid_PlacesTilesWithGaps()
    {
        byte[] Tile(byte v) => Enumerable.Repeat(v, 2 * 3 * 3).ToArray();
        var (rgb, height, width) = LabelImages.Grid([[Tile(10), Tile(20)], [Tile(30)]], 2, 3, gap: 1, background: 255);
        Assert.Equal(5, height);
        Assert.Equal(7, width);
        Assert.Equal(10, rgb[0]);
        Assert.Equal(255, rgb[3 * 3]);                 // the gap column
        Assert.Equal(20, rgb[3 * 4]);
        Assert.Equal(30, rgb[3 * (3 * width)]);        // row 3: second tile row
        Assert.Equal(255, rgb[3 * (3 * width + 4)]);   // missing tile is background
    }
}

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
