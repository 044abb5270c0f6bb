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
