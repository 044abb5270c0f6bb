using MtlNotebooks.Runtime;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MtlNotebooks.Data;

/// <summary>
/// Turns images, labels and predictions into RGB pictures and PNG files. Pictures are plain byte arrays of
/// H × W × 3 interleaved RGB; the array overloads take row-major (channel-first for multi-channel) data, the
/// <see cref="Tensor"/> overloads take one sample ([3,H,W] image or normals, [H,W] or [1,H,W] maps) on any device.
/// </summary>
public static class LabelImages
{
    /// <summary>ImageNet statistics used to normalise images (per RGB channel).</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    /// <summary>An RGB image [3,H,W] or batch [B,3,H,W] with values in [0, 1] → ImageNet-normalised ((x − mean) / std per
    /// channel), the input every torchvision-pretrained backbone expects.</summary>
    public static Tensor NormalizeImageNet(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int channelDim = image.dim() switch
        {
            3 => 0,
            4 => 1,
            _ => throw new ArgumentException($"NormalizeImageNet: expected an image [3,H,W] or a batch [B,3,H,W], got [{string.Join(", ", image.shape)}].", nameof(image)),
        };
        if (image.shape[channelDim] != 3)
            throw new ArgumentException($"NormalizeImageNet: expected 3 RGB channels, got shape [{string.Join(", ", image.shape)}].", nameof(image));
        var shape = channelDim == 0 ? new long[] { 3, 1, 1 } : [1, 3, 1, 1];
        using var mean = tensor(ImageNetMean.ToArray(), dtype: image.dtype, device: image.device).reshape(shape);
        using var std = tensor(ImageNetStd.ToArray(), dtype: image.dtype, device: image.device).reshape(shape);
        return (image - mean) / std;
    }

    /// <summary>The label value that marks unlabelled pixels; drawn black.</summary>
    public const int IgnoreLabel = 255;

    // Distinct colours for the first classes (class 0 grey, so it differs from the black of ignored pixels).
    private static readonly (byte R, byte G, byte B)[] Palette =
    [
        (96, 96, 96), (230, 159, 0), (86, 180, 233), (213, 62, 79), (0, 158, 115),
        (240, 228, 66), (0, 90, 181), (204, 121, 167), (152, 78, 163), (166, 216, 84),
        (255, 127, 80), (128, 0, 0), (0, 128, 128), (188, 189, 34), (23, 190, 207),
        (140, 86, 75), (255, 187, 120), (44, 160, 44), (197, 176, 213), (255, 255, 255),
    ];

    /// <summary>The colour of a class id: a fixed palette, then golden-angle hues; <see cref="IgnoreLabel"/>
    /// and negative ids are black.</summary>
    public static (byte R, byte G, byte B) ClassColor(long classId)
    {
        if (classId < 0 || classId == IgnoreLabel) return (0, 0, 0);
        if (classId < Palette.Length) return Palette[classId];
        double hue = (classId * 137.508) % 360;
        double value = 0.65 + 0.3 * ((classId / 7) % 2);
        return HsvToRgb(hue, 0.75, value);
    }

    /// <summary>Class map [H×W] → RGB.</summary>
    public static byte[] ColorizeClasses(ReadOnlySpan<byte> labels)
    {
        var rgb = new byte[labels.Length * 3];
        for (int i = 0; i < labels.Length; i++) Put(rgb, i, ClassColor(labels[i]));
        return rgb;
    }

    /// <summary>Class map [H×W] → RGB.</summary>
    public static byte[] ColorizeClasses(ReadOnlySpan<long> labels)
    {
        var rgb = new byte[labels.Length * 3];
        for (int i = 0; i < labels.Length; i++) Put(rgb, i, ClassColor(labels[i]));
        return rgb;
    }

    /// <summary>Depth [H×W] → turbo colours (near blue, far red) between <paramref name="min"/> and
    /// <paramref name="max"/>, by default the valid range of the map; 0, negative and non-finite values are black.</summary>
    public static byte[] ColorizeDepth(ReadOnlySpan<float> depth, float? min = null, float? max = null)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (var d in depth)
        {
            if (!IsValidDepth(d)) continue;
            lo = Math.Min(lo, d);
            hi = Math.Max(hi, d);
        }
        lo = min ?? lo;
        hi = max ?? hi;
        double range = hi > lo ? hi - lo : 1;
        var rgb = new byte[depth.Length * 3];
        for (int i = 0; i < depth.Length; i++)
            if (IsValidDepth(depth[i])) Put(rgb, i, Turbo((depth[i] - lo) / range));
        return rgb;
    }

    /// <summary>Normals [3×H×W] (channel-first) → RGB = (n + 1)/2; zero vectors are black.</summary>
    public static byte[] ColorizeNormals(ReadOnlySpan<float> normals)
    {
        if (normals.Length % 3 != 0) throw new ArgumentException("Normals need 3 channels: the length must be a multiple of 3.", nameof(normals));
        int n = normals.Length / 3;
        var rgb = new byte[n * 3];
        for (int i = 0; i < n; i++)
        {
            float x = normals[i], y = normals[n + i], z = normals[2 * n + i];
            if (x == 0 && y == 0 && z == 0) continue;
            Put(rgb, i, (ToByte((x + 1) / 2), ToByte((y + 1) / 2), ToByte((z + 1) / 2)));
        }
        return rgb;
    }

    /// <summary>A single-channel map [H×W] (edges, saliency, probabilities) → grey, <paramref name="min"/> black,
    /// <paramref name="max"/> white.</summary>
    public static byte[] Grayscale(ReadOnlySpan<float> values, float min = 0, float max = 1)
    {
        float range = max > min ? max - min : 1;
        var rgb = new byte[values.Length * 3];
        for (int i = 0; i < values.Length; i++)
        {
            byte g = ToByte((values[i] - min) / range);
            Put(rgb, i, (g, g, g));
        }
        return rgb;
    }

    /// <summary>An image [3×H×W] (channel-first) → RGB; with <paramref name="normalized"/> the ImageNet
    /// normalisation is undone first.</summary>
    public static byte[] ImageToRgb(ReadOnlySpan<float> image, bool normalized = true)
    {
        if (image.Length % 3 != 0) throw new ArgumentException("An image needs 3 channels: the length must be a multiple of 3.", nameof(image));
        int n = image.Length / 3;
        var rgb = new byte[n * 3];
        for (int c = 0; c < 3; c++)
        {
            float mean = normalized ? ImageNetMean[c] : 0, std = normalized ? ImageNetStd[c] : 1;
            for (int i = 0; i < n; i++) rgb[3 * i + c] = ToByte(image[c * n + i] * std + mean);
        }
        return rgb;
    }

    /// <summary>One image [3,H,W] (ImageNet-normalised unless <paramref name="normalized"/> is false) → RGB.</summary>
    public static RgbImage ImageToRgb(Tensor image, bool normalized = true)
    {
        RequireShape(image, nameof(image), 3);
        return Sized(ImageToRgb(Floats(image), normalized), image);
    }

    /// <summary>One class map [H,W] or [1,H,W] of any integer (or float) dtype → RGB.</summary>
    public static RgbImage ColorizeClasses(Tensor labels)
    {
        RequireMap(labels, nameof(labels));
        using var scope = NewDisposeScope();
        var values = labels.detach().cpu().to_type(ScalarType.Int64).contiguous();
        return Sized(ColorizeClasses(values.data<long>().ToArray()), labels);
    }

    /// <summary>One depth map [1,H,W] or [H,W] → turbo colours, as for arrays.</summary>
    public static RgbImage ColorizeDepth(Tensor depth, float? min = null, float? max = null)
    {
        RequireMap(depth, nameof(depth));
        return Sized(ColorizeDepth(Floats(depth), min, max), depth);
    }

    /// <summary>One normal map [3,H,W] → RGB = (n + 1)/2, zero vectors black.</summary>
    public static RgbImage ColorizeNormals(Tensor normals)
    {
        RequireShape(normals, nameof(normals), 3);
        return Sized(ColorizeNormals(Floats(normals)), normals);
    }

    /// <summary>One single-channel map [1,H,W] or [H,W] (edges, saliency, probabilities) → grey.</summary>
    public static RgbImage Grayscale(Tensor map, float min = 0, float max = 1)
    {
        RequireMap(map, nameof(map));
        return Sized(Grayscale(Floats(map), min, max), map);
    }

    /// <summary>The pixels of a map, with its height and width (its last two axes).</summary>
    private static RgbImage Sized(byte[] rgb, Tensor map) => new(rgb, (int)map.shape[^2], (int)map.shape[^1]);

    /// <summary>Nearest-neighbour enlargement by an integer <paramref name="factor"/>.</summary>
    public static RgbImage Upscale(RgbImage image, int factor)
    {
        CheckRgb(image, nameof(image));
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        if (factor == 1) return image;
        var (rgb, height, width) = image;
        int w2 = width * factor;
        var result = new byte[rgb.Length * factor * factor];
        for (int y = 0; y < height * factor; y++)
        for (int x = 0; x < w2; x++)
        {
            int src = 3 * ((y / factor) * width + x / factor), dst = 3 * (y * w2 + x);
            result[dst] = rgb[src];
            result[dst + 1] = rgb[src + 1];
            result[dst + 2] = rgb[src + 2];
        }
        return new RgbImage(result, height * factor, w2);
    }

    /// <summary>Composes tiles of one size into one picture: one row of tiles per inner list, <paramref name="gap"/>
    /// pixels of <paramref name="background"/> between them; short rows are padded with background.</summary>
    public static RgbImage Grid(IReadOnlyList<IReadOnlyList<RgbImage>> rows, int gap = 2, byte background = 255)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("A grid needs at least one row.", nameof(rows));
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
        if (rows.Any(r => r is null || r.Any(t => t is null))) throw new ArgumentException("A grid's rows and tiles must not be null.", nameof(rows));
        int columns = rows.Max(r => r.Count);
        if (columns == 0) throw new ArgumentException("A grid needs at least one tile.", nameof(rows));
        var first = rows.First(r => r.Count > 0)[0];
        int tileHeight = first.Height, tileWidth = first.Width;
        if (rows.SelectMany((row, r) => row.Select((t, c) => (t, r, c))).FirstOrDefault(x => x.t.Height != tileHeight || x.t.Width != tileWidth) is { t: not null } odd)
            throw new ArgumentException($"Every tile of a grid has one size: the first is {tileHeight}×{tileWidth}, row {odd.r + 1} tile {odd.c + 1} " +
                                        $"is {odd.t.Height}×{odd.t.Width}.", nameof(rows));
        int height = rows.Count * tileHeight + (rows.Count - 1) * gap;
        int width = columns * tileWidth + (columns - 1) * gap;
        var rgb = new byte[height * width * 3];
        Array.Fill(rgb, background);
        for (int r = 0; r < rows.Count; r++)
        for (int c = 0; c < rows[r].Count; c++)
        {
            var tile = rows[r][c];
            CheckRgb(tile, nameof(rows));
            int top = r * (tileHeight + gap), left = c * (tileWidth + gap);
            for (int y = 0; y < tileHeight; y++)
                Buffer.BlockCopy(tile.Pixels, 3 * y * tileWidth, rgb, 3 * ((top + y) * width + left), 3 * tileWidth);
        }
        return new RgbImage(rgb, height, width);
    }

    /// <summary>Encodes H × W × 3 interleaved RGB as PNG.</summary>
    public static byte[] ToPng(RgbImage image) => Encode(image, SKEncodedImageFormat.Png, 100);

    /// <summary>Encodes H × W × 3 interleaved RGB with SkiaSharp (PNG, JPEG).</summary>
    internal static byte[] Encode(RgbImage picture, SKEncodedImageFormat format, int quality)
    {
        CheckRgb(picture, nameof(picture));
        var (rgb, height, width) = picture;
        var rgba = new byte[height * width * 4];
        for (int i = 0; i < height * width; i++)
        {
            rgba[4 * i] = rgb[3 * i];
            rgba[4 * i + 1] = rgb[3 * i + 1];
            rgba[4 * i + 2] = rgb[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var image = SKImage.FromPixelCopy(info, rgba, width * 4)
                          ?? throw new InvalidOperationException("SkiaSharp could not create the image.");
        using var data = image.Encode(format, quality)
                         ?? throw new InvalidOperationException($"SkiaSharp could not encode the {format} image.");
        return data.ToArray();
    }

    /// <summary>Writes RGB as a PNG file atomically (a temporary file, then a rename), creating the folder.</summary>
    public static void SavePng(string path, RgbImage image) => AtomicFile.WriteAllBytes(path, ToPng(image));

    /// <summary>The turbo colour map (Google, polynomial fit) at <paramref name="x"/> in [0, 1].</summary>
    public static (byte R, byte G, byte B) Turbo(double x)
    {
        x = Math.Clamp(x, 0, 1);
        double x2 = x * x, x3 = x2 * x, x4 = x2 * x2, x5 = x4 * x;
        double r = 0.13572138 + 4.61539260 * x - 42.66032258 * x2 + 132.13108234 * x3 - 152.94239396 * x4 + 59.28637943 * x5;
        double g = 0.09140261 + 2.19418839 * x + 4.84296658 * x2 - 14.18503333 * x3 + 4.27729857 * x4 + 2.82956604 * x5;
        double b = 0.10667330 + 12.64194608 * x - 60.58204836 * x2 + 110.36276771 * x3 - 89.90310912 * x4 + 27.34824973 * x5;
        return (ToByte(r), ToByte(g), ToByte(b));
    }

    private static bool IsValidDepth(float d) => d > 0 && float.IsFinite(d);

    private static byte ToByte(double v) => (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);

    private static void Put(byte[] rgb, int i, (byte R, byte G, byte B) c)
    {
        rgb[3 * i] = c.R;
        rgb[3 * i + 1] = c.G;
        rgb[3 * i + 2] = c.B;
    }

    private static (byte, byte, byte) HsvToRgb(double hue, double sat, double val)
    {
        var (r, g, b) = HsvToUnitRgb(hue, sat, val);
        return (ToByte(r), ToByte(g), ToByte(b));
    }

    /// <summary>HSV (hue in degrees, any value; saturation and value in [0, 1]) → RGB in [0, 1].</summary>
    internal static (double R, double G, double B) HsvToUnitRgb(double hue, double sat, double val)
    {
        double h = ((hue % 360) + 360) % 360 / 60, c = val * sat, x = c * (1 - Math.Abs(h % 2 - 1)), m = val - c;
        var (r, g, b) = (int)h switch
        {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        return (r + m, g + m, b + m);
    }

    private static void CheckRgb(RgbImage image, string name)
    {
        ArgumentNullException.ThrowIfNull(image, name);
        var (rgb, height, width) = image;
        ArgumentNullException.ThrowIfNull(rgb, name);
        if (height < 1 || width < 1) throw new ArgumentException($"The size must be positive, got {height}×{width}.", name);
        if (rgb.Length != height * width * 3)
            throw new ArgumentException($"Expected {height}×{width}×3 = {height * width * 3} bytes of RGB, got {rgb.Length}.", name);
    }

    private static void RequireShape(Tensor t, string name, int channels)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.dim() != 3 || t.shape[0] != channels)
            throw new ArgumentException($"Expected one sample [{channels}, H, W], got [{string.Join(", ", t.shape)}].", name);
    }

    private static void RequireMap(Tensor t, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (!(t.dim() == 2 || (t.dim() == 3 && t.shape[0] == 1)))
            throw new ArgumentException($"Expected one map [H, W] or [1, H, W], got [{string.Join(", ", t.shape)}].", name);
    }

    private static float[] Floats(Tensor t)
    {
        // detach() always makes a new tensor, so the scope never disposes the caller's tensor.
        using var scope = NewDisposeScope();
        var values = t.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return values.data<float>().ToArray();
    }
}
