using System.Numerics;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>
/// Procedural indoor scenes with mutually consistent labels for every dense task: a pinhole camera (pitched
/// down, at eye height) looks at a tiled floor and a back wall (class 0, background) with 1–5 objects standing
/// on the floor: boxes (1), balls (2), people (3, made of head/torso/arm/leg ellipsoids) and potted plants
/// (4, a cylinder pot under an ellipsoid crown). Every pixel is ray cast, so the nearest surface wins; objects
/// nearer the camera appear lower and larger. Depth is the camera-frame z in metres (about 1.4–9.6); a window in
/// some back walls has no depth (0, like NYUD holes). Normals are derived from the depth map (see
/// <see cref="SyntheticScene.Normals"/>) and the image is Lambert-shaded with those normals under a random light,
/// with cast shadows, floor tiles, light fog and noise, so depth and normals can be inferred from the picture.
/// Everything is a function of (seed, index): no shared state, thread-safe.
/// </summary>
public static class SyntheticScenes
{
    public const int SemanticClassCount = 5;
    public const byte BackgroundClass = 0, BoxClass = 1, BallClass = 2, PersonClass = 3, PlantClass = 4;

    /// <summary>Class names; index = class id.</summary>
    public static IReadOnlyList<string> SemanticClasses { get; } = ["background", "box", "ball", "person", "plant"];

    public const int HumanPartCount = 5;
    public const byte NoPart = 0, HeadPart = 1, TorsoPart = 2, ArmsPart = 3, LegsPart = 4;

    /// <summary>Human part names; index = part id (0 = not a person).</summary>
    public static IReadOnlyList<string> HumanParts { get; } = ["background", "head", "torso", "arms", "legs"];

    /// <summary>Smallest and largest height or width accepted by <see cref="Generate(int, int, int, int)"/>.</summary>
    public const int MinSize = 16, MaxSize = 4096;

    /// <summary>Values of <see cref="SyntheticScene.SurfaceIds"/>: 0 = no surface (window, invalid depth),
    /// 1 = floor, 2 = back wall, larger = one smooth face of one object part.</summary>
    public const int NoSurface = 0, FloorSurface = 1, WallSurface = 2;

    /// <summary>The scene number <paramref name="index"/> of the stream <paramref name="seed"/>, rendered at
    /// <paramref name="height"/> × <paramref name="width"/>. Same arguments, same arrays, on any machine.</summary>
    public static SyntheticScene Generate(int seed, int index, int height, int width) => Generate(seed, index, height, width, SceneOptions.Default);

    /// <summary>The scene number <paramref name="index"/> of the stream <paramref name="seed"/> with <paramref name="options"/>
    /// (how much the tasks compete); <see cref="SceneOptions.Default"/> gives the same scene as the overload without.</summary>
    /// <exception cref="ArgumentException">An option is out of its range (the message names it).</exception>
    public static SyntheticScene Generate(int seed, int index, int height, int width, SceneOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateSize(height, width);
        options.Validate();
        return new SceneRenderer(seed, index, height, width, options).Render();
    }

    internal static void ValidateSize(int height, int width)
    {
        if (height < MinSize || height > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(height), height, $"The height must be between {MinSize} and {MaxSize} pixels.");
        if (width < MinSize || width > MaxSize)
            throw new ArgumentOutOfRangeException(nameof(width), width, $"The width must be between {MinSize} and {MaxSize} pixels.");
    }
}
