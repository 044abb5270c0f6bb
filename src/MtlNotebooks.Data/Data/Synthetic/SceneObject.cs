using System.Numerics;

namespace MtlNotebooks.Data.Synthetic;

internal sealed class SceneObject(byte classId, List<Primitive> parts)
{
    public byte ClassId { get; } = classId;
    public List<Primitive> Parts { get; } = parts;
    public V3 BoundCenter;
    public double BoundRadius;

    /// <summary>Pixel rectangle (inclusive) that contains the object's image; pixels outside skip it.</summary>
    public int U0, U1, V0, V1;

    public void ComputeBounds()
    {
        var c = new V3(0, 0, 0);
        foreach (var p in Parts) c += p.BoundCenter;
        c *= 1.0 / Parts.Count;
        double r = 0;
        foreach (var p in Parts) r = Math.Max(r, (p.BoundCenter - c).Length + p.BoundRadius);
        BoundCenter = c;
        BoundRadius = r * 1.001;
    }

    /// <summary>Whether the ray can hit the bounding sphere before <paramref name="tMax"/>.</summary>
    public bool MayHit(V3 o, V3 d, double tMax)
    {
        double ocx = o.X - BoundCenter.X, ocy = o.Y - BoundCenter.Y, ocz = o.Z - BoundCenter.Z;
        double a = d.X * d.X + d.Y * d.Y + d.Z * d.Z, b = ocx * d.X + ocy * d.Y + ocz * d.Z;
        double c = ocx * ocx + ocy * ocy + ocz * ocz - BoundRadius * BoundRadius;
        double disc = b * b - a * c;
        if (disc < 0) return false;
        double sq = Math.Sqrt(disc);
        double t0 = (-b - sq) / a, t1 = (-b + sq) / a;
        return t1 > 0 && t0 < tMax;
    }
}
