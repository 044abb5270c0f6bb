using MtlNotebooks.Cli;
using MtlNotebooks.Data;
using static TorchSharp.torch;

namespace MtlNotebooks.Tests.Data;

[Collection("Torch")]
public sealed class RealDataLoaderTests
{
    private static float[] Floats(Tensor t) => t.contiguous().data<float>().ToArray();

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Open_NyudFixture_RoundTripsEveryLabelInTheReferenceEncoding()
    {
        using var fixture = DataFixture.Nyud();
        var data = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", new LoaderOptions { Height = fixture.Height, Width = fixture.Width });
        Assert.Equal(["semseg", "depth", "normals", "edge"], data.Tasks);
        Assert.Equal(3, data.Count);
        using var batch = data.GetBatch([1]);
        int h = fixture.Height, w = fixture.Width, n = h * w;
        var semseg = batch.Labels["semseg"].contiguous().data<long>().ToArray();
        var depth = Floats(batch.Labels["depth"]);
        var normals = Floats(batch.Labels["normals"]);
        var edge = Floats(batch.Labels["edge"]);
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int p = y * w + x, raw = DataFixture.SemsegValue(1, p);
            Assert.Equal(raw == 0 ? 255 : raw - 1, semseg[p]);                   // NYUD: 0 → ignore, v → v − 1
            Assert.Equal(DataFixture.DepthValue(1, y, x), depth[p], 6);
            var (nx, ny, nz) = DataFixture.Normal(y, x, w);
            Assert.Equal(nx, normals[p], 5);
            Assert.Equal(ny, normals[n + p], 5);
            Assert.Equal(nz, normals[2 * n + p], 5);
            Assert.Equal(DataFixture.EdgeValue(x), edge[p]);
        }
        // The JPEG image, ImageNet-normalised: undo it and compare with the written picture (JPEG is lossy).
        var image = Floats(batch.Images);
        var picture = DataFixture.Picture(1, h, w);
        for (int c = 0; c < 3; c++)
        for (int p = 0; p < n; p++)
        {
            double value = (image[c * n + p] * LabelImages.ImageNetStd[c] + LabelImages.ImageNetMean[c]) * 255;
            Assert.InRange(value, picture[3 * p + c] - 12, picture[3 * p + c] + 12);
        }
    }

    [Fact]
    public void GetBatch_Resized_KeepsShapesAndDtypes()
    {
        using var fixture = DataFixture.Nyud();
        var data = ManifestDataset.Open(fixture.Manifest, fixture.Root, "val", new LoaderOptions { Height = 5, Width = 7, Augment = true });
        using var batch = data.GetBatch([0, 1]);
        Assert.Equal(new long[] { 2, 3, 5, 7 }, batch.Images.shape);
        Assert.Equal(new long[] { 2, 5, 7 }, batch.Labels["semseg"].shape);
        Assert.Equal(ScalarType.Int64, batch.Labels["semseg"].dtype);
        Assert.Equal(new long[] { 2, 3, 5, 7 }, batch.Labels["normals"].shape);
        Assert.Equal(new long[] { 2, 1, 5, 7 }, batch.Labels["depth"].shape);
        // Normals stay unit vectors (or zero) after zoom, crop and bilinear resampling.
        var lengths = batch.Labels["normals"].pow(2).sum(1).sqrt();
        Assert.True(lengths.masked_select(lengths.gt(0)).sub(1).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void Augment_HorizontalFlip_MirrorsLabelsAndNegatesNormalsX()
    {
        using var fixture = DataFixture.Nyud();
        var options = new LoaderOptions { Height = fixture.Height, Width = fixture.Width, Scales = [1.0], Seed = 3 };
        var plain = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", options);
        var augmented = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", options with { Augment = true });
        using var reference = plain.GetBatch([0]);
        var mirrored = reference.Labels["normals"].flip(3);
        int flips = 0, draws = 12;
        for (int draw = 0; draw < draws; draw++)
        {
            using var batch = augmented.GetBatch([0]);
            bool flipped = !Same(batch.Labels["semseg"], reference.Labels["semseg"]);
            if (!flipped)
            {
                Assert.True(batch.Labels["normals"].allclose(reference.Labels["normals"]));
                continue;
            }
            flips++;
            Assert.True(Same(batch.Labels["semseg"], reference.Labels["semseg"].flip(2)));
            Assert.True(Same(batch.Labels["depth"], reference.Labels["depth"].flip(3)));
            Assert.True(batch.Labels["normals"].select(1, 0).allclose(-mirrored.select(1, 0), atol: 1e-6), "x is negated");
            Assert.True(batch.Labels["normals"].narrow(1, 1, 2).allclose(mirrored.narrow(1, 1, 2), atol: 1e-6), "y and z are mirrored only");
        }
        Assert.InRange(flips, 1, draws - 1);
    }

    [Fact]
    public void Augment_SameSeed_SameBatches()
    {
        using var fixture = DataFixture.Nyud();
        var options = new LoaderOptions { Height = 6, Width = 6, Augment = true, Seed = 7 };
        var a = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", options);
        var b = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", options);
        for (int step = 0; step < 3; step++)
        {
            using var x = a.GetBatch([0, 2, 1]);
            using var y = b.GetBatch([0, 2, 1]);
            Assert.True(Same(x.Images, y.Images));
            Assert.True(Same(x.Labels["normals"], y.Labels["normals"]));
        }
    }

    [Fact]
    public void Open_PascalFixture_ReadsAllFiveTasksInTheReferenceEncodings()
    {
        using var fixture = DataFixture.Pascal();
        var data = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", new LoaderOptions { Height = fixture.Height, Width = fixture.Width });
        Assert.Equal(["semseg", "human_parts", "sal", "normals", "edge"], data.Tasks);
        using var batch = data.GetBatch([0, 1]);
        int h = fixture.Height, w = fixture.Width, n = h * w;
        var semseg = batch.Labels["semseg"].contiguous().data<long>().ToArray();
        var parts = batch.Labels["human_parts"].contiguous().data<long>().ToArray();
        var sal = Floats(batch.Labels["sal"]);
        var normals = Floats(batch.Labels["normals"]);
        for (int p = 0; p < n; p++)
        {
            int y = p / w, x = p % w;
            Assert.Equal(p % 22 == 21 ? 255 : p % 22, semseg[p]);             // palette indices, not colours
            Assert.Equal(p * 255 / (n - 1) / 255f > 0.5f ? 1f : 0f, sal[p]);
            Assert.Equal(DataFixture.PartValue(y, x), parts[p]);              // person parts grouped; the dog's head ignored
            Assert.Equal(255, parts[n + p]);                                 // no person: all ignore (AddIgnoreRegions)
            bool nyudClass = DataFixture.LabelMapValue(x, w) == 284;          // sky (360) is masked out
            Assert.Equal(nyudClass ? (p % 2 == 0 ? 1f : 0f) : 0f, normals[p], 2);
            Assert.Equal(nyudClass ? (p % 2 == 0 ? 0f : 1f) : 0f, normals[2 * n + p], 2);
        }
        // Edges of the LabelMap: the 2-pixel-wide Laplacian response at the class border, thinned — skimage's thin
        // (0.19) gives column 4 of rows 1-5 for this map (the bar's top end is eroded).
        var edges = Floats(batch.Labels["edge"][0, 0]);
        for (int p = 0; p < n; p++) Assert.Equal(p % w == 4 && p / w >= 1 ? 1f : 0f, edges[p]);
    }

    [Fact]
    public void Open_UnknownLabelFormat_SaysWhichFormat()
    {
        using var fixture = DataFixture.Nyud();
        var manifest = fixture.Manifest with
        {
            Tasks = [.. fixture.Manifest.Tasks.Select(t => t.Name == "depth" ? t with { Format = "exr-depth" } : t)],
        };
        var error = Assert.Throws<NotSupportedException>(() =>
            ManifestDataset.Open(manifest, fixture.Root, "train", new LoaderOptions { Tasks = ["depth"] }));
        Assert.Contains("'exr-depth'", error.Message);
        Assert.DoesNotContain("depth", ManifestDataset.Open(manifest, fixture.Root, "train").Tasks);
    }

    [Fact]
    public void Augment_Zoom_DividesDepthByTheScale()
    {
        using var fixture = DataFixture.Nyud();
        var options = new LoaderOptions { Height = fixture.Height, Width = fixture.Width, Scales = [2.0], Augment = true };
        var data = ManifestDataset.Open(fixture.Manifest, fixture.Root, "train", options);
        using var batch = data.GetBatch([2]);
        var stored = Enumerable.Range(0, fixture.Height * fixture.Width)
            .Select(p => DataFixture.DepthValue(2, p / fixture.Width, p % fixture.Width)).Where(d => d > 0).ToArray();
        // Every loaded depth is a stored depth halved: the zoomed view is twice as close.
        Assert.All(Floats(batch.Labels["depth"]).Where(d => d > 0), d => Assert.Contains(stored, s => Math.Abs(s / 2 - d) < 1e-5));
    }

    [Fact]
    public void NpyFile_BigEndianFortranFloat64_ReadsInCOrder()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mtl-npy-").FullName, "a.npy");
        try
        {
            // A 2×3 array [[1, 2, 3], [4, 5, 6]] stored column by column as big-endian float64.
            var header = "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }";
            header = header.PadRight(64 - 10 - 1) + "\n";
            var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(header));
            foreach (var v in new double[] { 1, 4, 2, 5, 3, 6 })
            {
                var b = BitConverter.GetBytes(v);
                if (BitConverter.IsLittleEndian) Array.Reverse(b);
                bytes.AddRange(b);
            }
            File.WriteAllBytes(path, [.. bytes]);
            var array = NpyFile.Read(path);
            Assert.Equal([2, 3], array.Shape);
            Assert.Equal([1f, 2, 3, 4, 5, 6], array.Values);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
