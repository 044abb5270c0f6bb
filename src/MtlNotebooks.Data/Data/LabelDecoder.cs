using MtlNotebooks.Runtime;

namespace MtlNotebooks.Data;

/// <summary>One decoded sample: RGB image and, per task, H × W × C label values (channels last), validated.</summary>
internal sealed record DecodedSample(RgbImage Image, IReadOnlyDictionary<string, float[]> Labels)
{
    public int Height => Image.Height;
    public int Width => Image.Width;
}

/// <summary>Reads and checks the label files of one sample in the references' encodings. Every problem is a
/// <see cref="DataSetException"/> that names the file: missing, unreadable, wrong size, out-of-range value, normals that
/// are not unit vectors.</summary>
internal static class LabelDecoder
{
    /// <summary>How far a normal's length may be from 1 (PNG quantisation moves it by less than 0.01).</summary>
    public const float UnitTolerance = 0.1f;

    public static DecodedSample Load(ManifestDataset dataset, string id)
    {
        var imagePath = dataset.ImagePath(id);
        var image = ImageIO.ReadRgb(imagePath);
        var labels = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var name in dataset.Tasks)
        {
            var task = dataset.Manifest.Task(name);
            labels[name] = Decode(task, dataset.LabelPath(task, id), image.Height, image.Width, imagePath, dataset.MaskPath(task, id));
        }
        return new DecodedSample(image, labels);
    }

    public static float[] Decode(ManifestTask task, string path, int height, int width, string imagePath, string? maskPath = null)
    {
        ImageIO.RequireFile(path);
        var values = task.Format switch
        {
            "png-classes" => Classes(task, path, height, width, imagePath),
            "png-binary" => Binary(path, height, width, imagePath),
            "png-normals" => PngNormals(task, path, height, width, imagePath),
            "npy-depth" => Depth(path, height, width, imagePath),
            "npy-normals" => NpyNormals(path, height, width, imagePath),
            "npy-edge" => Edge(path, height, width, imagePath),
            "mat-human-parts" => PascalLabels.HumanParts(path, height, width),
            "mat-labelmap-edges" => LabelMapEdges(path, height, width, imagePath),
            _ => throw new DataSetException(path, $"has label format '{task.Format}', which this version cannot decode."),
        };
        if (maskPath is not null && task.MaskValidClasses is { } valid && ManifestDataset.Channels(task) == 3)
        {
            var (labelMap, h, w) = PascalLabels.LabelMap(maskPath);
            CheckSize(maskPath, h, w, height, width, imagePath);
            PascalLabels.MaskNormals(values, labelMap, valid.ToHashSet());
        }
        return values;
    }

    private static float[] LabelMapEdges(string path, int height, int width, string imagePath)
    {
        var (labelMap, h, w) = PascalLabels.LabelMap(path);
        CheckSize(path, h, w, height, width, imagePath);
        return PascalLabels.Edges(labelMap, h, w);
    }

    internal static void CheckSize(string path, int h, int w, int height, int width, string imagePath)
    {
        if (h != height || w != width)
            throw new DataSetException(path, $"is {h}x{w} but its image {imagePath} is {height}x{width}; labels must have the image's size.");
    }

    /// <summary>A PNG label's channels (from its IHDR or its samples) against what the format stores.</summary>
    internal static void CheckChannels(ManifestTask task, string path, int channels)
    {
        if (task.Format == "png-classes" && channels != 1)
            throw new DataSetException(path, $"has {channels} channels; a class map has one (grey or palette indices).");
        if (task.Format == "png-normals" && channels < 3)
            throw new DataSetException(path, $"has {channels} channel(s); normals are stored as RGB.");
    }

    private static string At(int i, int width) => $"row {i / width}, column {i % width}";

    private static float[] Classes(ManifestTask task, string path, int height, int width, string imagePath)
    {
        var png = ImageIO.ReadPngSamples(path);
        CheckSize(path, png.Height, png.Width, height, width, imagePath);
        CheckChannels(task, path, png.Channels);
        int classes = task.Classes ?? 256;
        var result = new float[png.Values.Length];
        for (int i = 0; i < result.Length; i++)
        {
            int raw = png.Values[i];
            int v = task.ZeroIsIgnore && raw == 0 ? LabelImages.IgnoreLabel : raw + task.Offset;
            if (v != LabelImages.IgnoreLabel && (v < 0 || v >= classes))
                throw new DataSetException(path, $"has value {raw} at {At(i, width)}, outside the {classes} classes of task '{task.Name}' " +
                    $"({StoredRange(task, classes)}).");
            result[i] = v;
        }
        return result;
    }

    /// <summary>The stored values a class map may hold: the classes after the offset, and what means "ignore".</summary>
    internal static string StoredRange(ManifestTask task, int classes)
    {
        int first = Math.Max(task.ZeroIsIgnore ? 1 : 0, -task.Offset), last = classes - 1 - task.Offset;
        var ignored = new List<int>();
        if (task.ZeroIsIgnore) ignored.Add(0);
        if (LabelImages.IgnoreLabel - task.Offset is var stored and >= 0 and <= 255 && !(task.ZeroIsIgnore && stored == 0)) ignored.Add(stored);
        return $"stored values {first}..{last}" + (ignored.Count > 0 ? $", {string.Join(" and ", ignored)} = ignore" : "");
    }

    private static float[] Binary(string path, int height, int width, string imagePath)
    {
        var png = ImageIO.ReadPngSamples(path);
        CheckSize(path, png.Height, png.Width, height, width, imagePath);
        var result = new float[height * width];
        // The references: value / 255 > 0.5 (first channel if the file is not grey).
        for (int i = 0; i < result.Length; i++) result[i] = png.Values[i * png.Channels] / 255f > 0.5f ? 1 : 0;
        return result;
    }

    private static float[] PngNormals(ManifestTask task, string path, int height, int width, string imagePath)
    {
        var png = ImageIO.ReadPngSamples(path);
        CheckSize(path, png.Height, png.Width, height, width, imagePath);
        CheckChannels(task, path, png.Channels);
        var result = new float[height * width * 3];
        for (int i = 0; i < height * width; i++)
            for (int c = 0; c < 3; c++)
                result[3 * i + c] = 2f * png.Values[i * png.Channels + c] / 255f - 1f;
        Normalise(path, result, width, allowZero: false);
        return result;
    }

    private static float[] Depth(string path, int height, int width, string imagePath)
    {
        var array = NpyFile.Read(path);
        var (h, w) = Plane(path, array.Shape, 1);
        CheckSize(path, h, w, height, width, imagePath);
        for (int i = 0; i < array.Values.Length; i++)
        {
            float d = array.Values[i];
            if (!float.IsFinite(d) || d < 0)
                throw new DataSetException(path, $"has depth {d} at {At(i, width)}; depth must be finite and >= 0 (0 = invalid).");
        }
        return array.Values;
    }

    private static float[] NpyNormals(string path, int height, int width, string imagePath)
    {
        var array = NpyFile.Read(path);
        var (h, w) = Plane(path, array.Shape, 3);
        CheckSize(path, h, w, height, width, imagePath);
        var values = (float[])array.Values.Clone();
        Normalise(path, values, width, allowZero: true);
        return values;
    }

    private static float[] Edge(string path, int height, int width, string imagePath)
    {
        var array = NpyFile.Read(path);
        var (h, w) = Plane(path, array.Shape, 1);
        CheckSize(path, h, w, height, width, imagePath);
        for (int i = 0; i < array.Values.Length; i++)
        {
            float v = array.Values[i];
            if (v != 0 && v != 1 && v != LabelImages.IgnoreLabel)
                throw new DataSetException(path, $"has edge value {v} at {At(i, width)}; edges are 0 or 1 (255 = ignore).");
        }
        return array.Values;
    }

    /// <summary>H and W of an H×W (channels 1), H×W×1 or H×W×C array; anything else is an error naming the shape.</summary>
    internal static (int H, int W) Plane(string path, IReadOnlyList<int> s, int channels)
    {
        if (channels == 1 && s.Count == 2) return (s[0], s[1]);
        if (s.Count == 3 && s[2] == channels) return (s[0], s[1]);
        throw new DataSetException(path, $"has shape ({string.Join(", ", s)}); expected ({(channels == 1 ? "H, W" : $"H, W, {channels}")}).");
    }

    /// <summary>Checks that every vector (channels last) is unit length within <see cref="UnitTolerance"/> — or zero
    /// when <paramref name="allowZero"/> — and normalises it.</summary>
    private static void Normalise(string path, float[] values, int width, bool allowZero)
    {
        for (int i = 0; i < values.Length / 3; i++)
        {
            float x = values[3 * i], y = values[3 * i + 1], z = values[3 * i + 2];
            if (!float.IsFinite(x) || !float.IsFinite(y) || !float.IsFinite(z))
                throw new DataSetException(path, $"has a non-finite normal at {At(i, width)}.");
            float length = MathF.Sqrt(x * x + y * y + z * z);
            if (allowZero && length == 0) continue;
            if (MathF.Abs(length - 1) > UnitTolerance)
                throw new DataSetException(path, $"has a normal of length {length:0.###} at {At(i, width)} ({x:0.###}, {y:0.###}, {z:0.###}); " +
                    $"normals must be unit vectors{(allowZero ? " (a zero vector marks an invalid pixel)" : "")}.");
            values[3 * i] = x / length;
            values[3 * i + 1] = y / length;
            values[3 * i + 2] = z / length;
        }
    }
}

/// <summary>One draw of the augmentation geometry: a window of the source image (zoom and crop) resized to the output,
/// optionally mirrored. The same geometry is applied to the image and every label.</summary>
internal readonly record struct Geometry(double Top, double Left, double WindowHeight, double WindowWidth, bool Flip, int SourceHeight, int SourceWidth)
{
    public static Geometry Draw(LoaderOptions options, int height, int width, int sample, int draw)
    {
        if (!options.Augment) return new Geometry(0, 0, height, width, false, height, width);
        var rng = new SplitMix64(SplitMix64.Mix(SplitMix64.Mix(SplitMix64.Mix((ulong)(uint)options.Seed) ^ (ulong)(uint)sample) ^ (ulong)(uint)draw));
        double Next() => rng.NextDouble();
        double scale = options.Scales[Math.Min((int)(Next() * options.Scales.Count), options.Scales.Count - 1)];
        double wh = height / scale, ww = width / scale;
        double top = Next() * (height - wh), left = Next() * (width - ww);
        bool flip = Next() < 0.5;
        return new Geometry(top, left, wh, ww, flip, height, width);
    }

    private double SourceY(int y, int outH) => Math.Clamp(Top + (y + 0.5) * WindowHeight / outH - 0.5, 0, SourceHeight - 1);
    private double SourceX(int x, int outW) => Math.Clamp(Left + ((Flip ? outW - 1 - x : x) + 0.5) * WindowWidth / outW - 0.5, 0, SourceWidth - 1);

    /// <summary>The image, bilinear, ImageNet-normalised, channels first.</summary>
    public void Image(RgbImage image, Span<float> output, int outH, int outW)
    {
        int n = outH * outW;
        for (int y = 0; y < outH; y++)
        {
            double sy = SourceY(y, outH);
            for (int x = 0; x < outW; x++)
            {
                double sx = SourceX(x, outW);
                for (int c = 0; c < 3; c++)
                {
                    double v = Bilinear(image.Pixels, 3, c, sy, sx) / 255.0;
                    output[c * n + y * outW + x] = (float)((v - LabelImages.ImageNetMean[c]) / LabelImages.ImageNetStd[c]);
                }
            }
        }
    }

    /// <summary>A label, channels first: nearest for maps, bilinear + renormalised (x negated when flipped) for normals.</summary>
    public void Label(ManifestTask task, float[] values, Span<float> output, int outH, int outW)
    {
        int channels = ManifestDataset.Channels(task), n = outH * outW;
        for (int y = 0; y < outH; y++)
        {
            double sy = SourceY(y, outH);
            for (int x = 0; x < outW; x++)
            {
                double sx = SourceX(x, outW);
                int nearest = (int)Math.Round(sy) * SourceWidth + (int)Math.Round(sx);
                if (channels == 1)
                {
                    // Zooming in by s brings the scene s times closer (the references divide depth by the scale).
                    output[y * outW + x] = task.Format == "npy-depth" ? (float)(values[nearest] * WindowHeight / SourceHeight) : values[nearest];
                    continue;
                }
                if (values[3 * nearest] == 0 && values[3 * nearest + 1] == 0 && values[3 * nearest + 2] == 0) continue; // invalid stays 0
                double nx = Bilinear(values, 3, 0, sy, sx), ny = Bilinear(values, 3, 1, sy, sx), nz = Bilinear(values, 3, 2, sy, sx);
                double length = Math.Sqrt(nx * nx + ny * ny + nz * nz);
                if (length == 0) continue;
                output[y * outW + x] = (float)((Flip ? -nx : nx) / length);
                output[n + y * outW + x] = (float)(ny / length);
                output[2 * n + y * outW + x] = (float)(nz / length);
            }
        }
    }

    private double Bilinear(byte[] pixels, int channels, int c, double sy, double sx)
    {
        int y0 = (int)sy, x0 = (int)sx, y1 = Math.Min(y0 + 1, SourceHeight - 1), x1 = Math.Min(x0 + 1, SourceWidth - 1);
        double fy = sy - y0, fx = sx - x0;
        int w = SourceWidth;
        double a = pixels[(y0 * w + x0) * channels + c], b = pixels[(y0 * w + x1) * channels + c];
        double d = pixels[(y1 * w + x0) * channels + c], e = pixels[(y1 * w + x1) * channels + c];
        return (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * d + fx * e);
    }

    private double Bilinear(float[] values, int channels, int c, double sy, double sx)
    {
        int y0 = (int)sy, x0 = (int)sx, y1 = Math.Min(y0 + 1, SourceHeight - 1), x1 = Math.Min(x0 + 1, SourceWidth - 1);
        double fy = sy - y0, fx = sx - x0;
        int w = SourceWidth;
        double a = values[(y0 * w + x0) * channels + c], b = values[(y0 * w + x1) * channels + c];
        double d = values[(y1 * w + x0) * channels + c], e = values[(y1 * w + x1) * channels + c];
        return (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * d + fx * e);
    }
}
