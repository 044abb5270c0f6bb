using MtlNotebooks.Data.Synthetic;

namespace MtlNotebooks.Tests.Data;

/// <summary>The scene options that make the tasks compete: at 0 they change nothing, out of range they are named, and
/// each one makes the class follow what it says instead of the shape.</summary>
public sealed class SceneOptionsTests
{
    [Fact]
    public void OptionsAtZero_LeaveEveryScene_DrawForDraw()
    {
        var zero = new SceneOptions { ClassByColour = 0, ClassByTexture = 0 };
        for (int i = 0; i < 5; i++)
        {
            var a = SyntheticScenes.Generate(2, i, 40, 48);
            var b = SyntheticScenes.Generate(2, i, 40, 48, zero);
            Assert.Equal(a.Image, b.Image);
            Assert.Equal(a.Semseg, b.Semseg);
            Assert.Equal(a.Depth, b.Depth);
        }
    }

    [Fact]
    public void OutOfRange_NamesEveryOption()
    {
        var bad = new SceneOptions { ClassByColour = 1.5, ClassByTexture = -0.1 };
        var ex = Assert.Throws<ArgumentException>(() => SyntheticScenes.Generate(0, 0, 32, 32, bad));
        Assert.Contains("SceneOptions.ClassByColour is 1.5", ex.Message);
        Assert.Contains("SceneOptions.ClassByTexture is -0.1", ex.Message);
        Assert.Equal(2, bad.Problems().Count);
    }

    [Fact]
    public void ClassByColour_TheHueTellsTheClass_WhereByDefaultItDoesNot()
    {
        // Boxes 190–230°, balls 40–60°, plants 280–320° (ColourClasses.Recolour); shading scales RGB, which keeps the hue.
        Assert.True(ShareInBand(new SceneOptions { ClassByColour = 1 }) > 0.9);
        Assert.True(ShareInBand(SceneOptions.Default) < 0.5);
    }

    [Fact]
    public void ClassByColour_DrawsTheShapeApartFromTheClass()
    {
        // A ball-shaped ball shows one surface; a ball with more visible surfaces than balls in the scene has another shape.
        static int OtherShapedBalls(SceneOptions options) => Enumerable.Range(0, 60).Count(i =>
        {
            var s = SyntheticScenes.Generate(4, i, 48, 48, options);
            int surfaces = Enumerable.Range(0, s.Semseg.Length).Where(p => s.Semseg[p] == SyntheticScenes.BallClass).Select(p => s.SurfaceIds[p]).Distinct().Count();
            return surfaces > s.ObjectClasses.Count(c => c == SyntheticScenes.BallClass);
        });
        Assert.True(OtherShapedBalls(new SceneOptions { ClassByColour = 1 }) > 0);
        Assert.Equal(0, OtherShapedBalls(SceneOptions.Default));
    }

    [Fact]
    public void ClassByTexture_StripesRunAcrossBoxesAndDownBalls()
    {
        // Boxes carry horizontal stripes (brightness changes from row to row), balls vertical ones (from column to column).
        var texture = new SceneOptions { ClassByTexture = 1 };
        var (boxDown, boxAcross) = Changes(texture, SyntheticScenes.BoxClass);
        var (ballDown, ballAcross) = Changes(texture, SyntheticScenes.BallClass);
        Assert.True(boxDown > 1.5 * boxAcross, $"box: {boxDown:0.000} down, {boxAcross:0.000} across");
        Assert.True(ballAcross > 1.5 * ballDown, $"ball: {ballDown:0.000} down, {ballAcross:0.000} across");
    }

    /// <summary>Mean absolute brightness change between vertical and between horizontal neighbours on one surface of
    /// class <paramref name="cls"/>, over 40 scenes.</summary>
    private static (double Down, double Across) Changes(SceneOptions options, byte cls)
    {
        double down = 0, across = 0;
        int nDown = 0, nAcross = 0;
        for (int i = 0; i < 40; i++)
        {
            var s = SyntheticScenes.Generate(6, i, 64, 64, options);
            int n = s.Height * s.Width;
            double Grey(int p) => (s.Image[p] + s.Image[n + p] + s.Image[2 * n + p]) / 3;
            for (int v = 0; v < s.Height - 1; v++)
            for (int u = 0; u < s.Width - 1; u++)
            {
                int p = v * s.Width + u;
                if (s.Semseg[p] != cls) continue;
                if (s.SurfaceIds[p + s.Width] == s.SurfaceIds[p]) { down += Math.Abs(Grey(p + s.Width) - Grey(p)); nDown++; }
                if (s.SurfaceIds[p + 1] == s.SurfaceIds[p]) { across += Math.Abs(Grey(p + 1) - Grey(p)); nAcross++; }
            }
        }
        return (down / nDown, across / nAcross);
    }

    /// <summary>The share of box, ball and plant pixels (over 40 scenes) whose hue lies in their class's band, ±15°.</summary>
    private static double ShareInBand(SceneOptions options)
    {
        int inBand = 0, total = 0;
        for (int i = 0; i < 40; i++)
        {
            var s = SyntheticScenes.Generate(1, i, 48, 48, options);
            int n = s.Height * s.Width;
            for (int p = 0; p < n; p++)
            {
                var (lo, hi) = s.Semseg[p] switch
                {
                    SyntheticScenes.BoxClass => (175.0, 245.0),
                    SyntheticScenes.BallClass => (25.0, 75.0),
                    SyntheticScenes.PlantClass => (265.0, 335.0),
                    _ => (double.NaN, double.NaN),
                };
                if (double.IsNaN(lo)) continue;
                double hue = Hue(s.Image[p], s.Image[n + p], s.Image[2 * n + p]);
                total++;
                if (hue >= lo && hue <= hi) inBand++;
            }
        }
        return inBand / (double)total;
    }

    private static double Hue(double r, double g, double b)
    {
        double max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b)), d = max - min;
        if (d <= 1e-9) return double.NaN;
        double h = max == r ? (g - b) / d % 6 : max == g ? (b - r) / d + 2 : (r - g) / d + 4;
        return (h * 60 + 360) % 360;
    }
}
