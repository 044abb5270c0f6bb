using System.Numerics;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>One rendered scene: row-major, channel-first arrays of <see cref="Height"/> × <see cref="Width"/>.</summary>
public sealed class SyntheticScene
{
    internal SyntheticScene(int height, int width)
    {
        Height = height;
        Width = width;
        int n = height * width;
        Image = new float[3 * n];
        Semseg = new byte[n];
        Depth = new float[n];
        Normals = new float[3 * n];
        Edges = new byte[n];
        Saliency = new byte[n];
        HumanParts = new byte[n];
        SurfaceIds = new int[n];
    }

    public int Height { get; }
    public int Width { get; }

    /// <summary>[3, H, W] RGB in [0, 1], not normalised.</summary>
    public float[] Image { get; }

    /// <summary>[H, W] class ids, see <see cref="SyntheticScenes.SemanticClasses"/>.</summary>
    public byte[] Semseg { get; }

    /// <summary>[H, W] camera-frame z in metres; 0 = invalid (window).</summary>
    public float[] Depth { get; }

    /// <summary>[3, H, W] unit normals (nx, ny, nz) in the camera frame (x right, y down, z forward), facing the
    /// camera; zero where the depth is invalid. Derived from <see cref="Depth"/>: each pixel is back-projected,
    /// x = (u − cx)·z/f, y = (v − cy)·z/f, and the normal is the cross product of the horizontal and vertical
    /// differences to neighbours on the same surface (central where both exist, one-sided at boundaries).</summary>
    public float[] Normals { get; }

    /// <summary>[H, W] 1 where a 4-neighbour has another semantic class (both sides of a boundary).</summary>
    public byte[] Edges { get; }

    /// <summary>[H, W] 1 on object pixels (every class but background).</summary>
    public byte[] Saliency { get; }

    /// <summary>[H, W] part ids (<see cref="SyntheticScenes.HumanParts"/>) on person pixels, 0 elsewhere.</summary>
    public byte[] HumanParts { get; }

    /// <summary>[H, W] which smooth surface each pixel sees (see <see cref="SyntheticScenes.NoSurface"/>); the
    /// normals are differenced only within one surface.</summary>
    public int[] SurfaceIds { get; }

    /// <summary>Focal length in pixels; the principal point is the image centre ((W − 1)/2, (H − 1)/2).</summary>
    public float Focal { get; internal set; }

    /// <summary>The floor's analytic unit normal in the camera frame.</summary>
    public Vector3 FloorNormal { get; internal set; }

    /// <summary>Unit direction towards the light in the camera frame.</summary>
    public Vector3 LightDirection { get; internal set; }

    /// <summary>Class of every object placed in the scene (some may be hidden behind others).</summary>
    public IReadOnlyList<byte> ObjectClasses { get; internal set; } = [];
}
