namespace MtlNotebooks.Data.Synthetic;

/// <summary>Objects whose colour, not shape, tells their class (<see cref="SceneOptions.ClassByColour"/>).</summary>
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
            part.ClassId = cls;
            part.Albedo = new V3(r, g, b) * rng.Uniform(0.9, 1.1);
            if (part is Box box) box.Tape = null;
            if (part is Ellipsoid ball) ball.Stripe = null;
        }
        return new SceneObject(cls, obj.Parts);
    }
}
