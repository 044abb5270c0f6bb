namespace MtlNotebooks.Data.Synthetic;

/// <summary>How much the tasks of a synthetic scene compete. By default an object's class follows from its shape, so
/// semantic segmentation, depth, normals and edges all ask the encoder for the same geometry and never conflict (the
/// scenes' labels all follow from one geometry). <see cref="ClassByColour"/> makes segmentation ask for something the
/// geometric tasks must ignore: a share of the objects take a shape drawn independently of their class and a colour
/// that tells the class, the way texture and colour tell classes apart in real scenes while depth and normals must be
/// invariant to them. People keep their shape (human parts are parts of a body).</summary>
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
        .. ClassByColour is >= 0 and <= 1 ? [] : new[] { $"SceneOptions.ClassByColour is {ClassByColour}; it is a share of the objects, from 0 to 1." },
        .. ClassByTexture is >= 0 and <= 1 ? [] : new[] { $"SceneOptions.ClassByTexture is {ClassByTexture}; it is a share of the objects, from 0 to 1." },
    ];

    internal void Validate()
    {
        var problems = Problems();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));
    }
}
