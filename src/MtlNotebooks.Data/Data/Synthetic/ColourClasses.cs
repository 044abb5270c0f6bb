using MtlNotebooks.Runtime;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>Objects whose colour (<see cref="SceneOptions.ClassByColour"/>) or surface pattern
/// (<see cref="SceneOptions.ClassByTexture"/>), not their shape, tells their class.</summary>
internal static class ColourClasses
{
    /// <summary>The shapes such an object takes, drawn independently of its class.</summary>
    public static readonly byte[] Shapes = [SyntheticScenes.BoxClass, SyntheticScenes.BallClass, SyntheticScenes.PlantClass];

    /// <summary>The object as class <paramref name="cls"/>: every part labelled with it and painted in its hue band
    /// (boxes 190–230°, balls 40–60°, plants 280–320°), tape and stripes removed so the colour alone tells the class.</summary>
    public static SceneObject Recolour(SceneObject obj, byte cls, ref SplitMix64 rng)
    {
        double hue = cls switch { SyntheticScenes.BoxClass => 190, SyntheticScenes.BallClass => 40, _ => 280 };
        var (r, g, b) = LabelImages.HsvToUnitRgb(hue + rng.Uniform(0, cls == SyntheticScenes.BallClass ? 20 : 40), rng.Uniform(0.6, 0.9), rng.Uniform(0.55, 0.9));
        foreach (var part in obj.Parts)
        {
            Relabel(part, cls);
            part.Albedo = new V3(r, g, b) * rng.Uniform(0.9, 1.1);
        }
        return new SceneObject(cls, obj.Parts);
    }

    /// <summary>The object as class <paramref name="cls"/> told by its surface pattern alone: one random colour for the
    /// whole object (it says nothing about the class), painted with the class's pattern: boxes horizontal stripes, balls
    /// vertical stripes, plants a checkerboard, each of period <see cref="PatternPeriod"/> metres in the world.</summary>
    public static SceneObject Retexture(SceneObject obj, byte cls, ref SplitMix64 rng)
    {
        var (r, g, b) = LabelImages.HsvToUnitRgb(rng.Uniform(0, 360), rng.Uniform(0.4, 0.8), rng.Uniform(0.6, 0.9));
        foreach (var part in obj.Parts)
        {
            Relabel(part, cls);
            part.Albedo = new V3(r, g, b);
            part.Pattern = cls;
        }
        return new SceneObject(cls, obj.Parts);
    }

    /// <summary>The part labelled <paramref name="cls"/>, its tape and stripes removed: they came with its shape's own class.</summary>
    private static void Relabel(Primitive part, byte cls)
    {
        part.ClassId = cls;
        if (part is Box box) box.Tape = null;
        if (part is Ellipsoid ball) ball.Stripe = null;
    }

    /// <summary>Metres per period of the class patterns: about 4 pixels at 3 m in a 48-pixel image.</summary>
    public const double PatternPeriod = 0.25;

    /// <summary>The albedo of a patterned part at world point <paramref name="p"/>: full or 35 % of it.</summary>
    public static V3 Pattern(Primitive prim, V3 p)
    {
        double h = Math.Sin(2 * Math.PI * p.Y / PatternPeriod), v = Math.Sin(2 * Math.PI * (p.X + p.Z) / PatternPeriod);
        bool light = prim.Pattern switch
        {
            SyntheticScenes.BoxClass => h > 0,
            SyntheticScenes.BallClass => v > 0,
            _ => h * v > 0,
        };
        return light ? prim.Albedo : prim.Albedo * 0.35;
    }
}
