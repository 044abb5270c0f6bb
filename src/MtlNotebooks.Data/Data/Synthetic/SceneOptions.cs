using System.Globalization;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>How much the tasks of a synthetic scene compete. By default an object's class follows from its shape, so
/// semantic segmentation, depth, normals and edges all ask the encoder for the same geometry. These options make
/// segmentation need what the geometric tasks must ignore, ASTMT's "invariance versus sensitivity" (§1): a colour
/// (<see cref="ClassByColour"/>) or a surface pattern (<see cref="ClassByTexture"/>) tells the class, drawn apart from the
/// shape. People keep their shape (human parts are parts of a body). <c>ConflictSweep</c> measures what each does.</summary>
public sealed record SceneOptions
{
    /// <summary>Class follows shape, as every scene before these options.</summary>
    public static SceneOptions Default { get; } = new();

    /// <summary>The share of non-person objects (0 to 1) whose shape is drawn at random and whose colour (one hue band per
    /// class: boxes blue, balls yellow, plants purple) tells their class. 0 keeps the scenes unchanged, draw for draw.</summary>
    public double ClassByColour { get; init; }

    /// <summary>The share of non-person objects (0 to 1, besides those of <see cref="ClassByColour"/>) whose shape and
    /// colour are drawn at random and whose surface pattern tells their class (boxes horizontal stripes, balls vertical
    /// stripes, plants a checkerboard): a texture the geometric tasks must see through.</summary>
    public double ClassByTexture { get; init; }

    /// <summary>Every problem with these options, in words naming the option.</summary>
    public IReadOnlyList<string> Problems() =>
    [
        .. ClassByColour is >= 0 and <= 1 ? [] : new[] { $"SceneOptions.ClassByColour is {ClassByColour.ToString(CultureInfo.InvariantCulture)}; it is a share of the objects, from 0 to 1." },
        .. ClassByTexture is >= 0 and <= 1 ? [] : new[] { $"SceneOptions.ClassByTexture is {ClassByTexture.ToString(CultureInfo.InvariantCulture)}; it is a share of the objects, from 0 to 1." },
    ];

    internal void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));
    }
}
