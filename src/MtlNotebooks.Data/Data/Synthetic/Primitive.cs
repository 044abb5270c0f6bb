using System.Numerics;

namespace MtlNotebooks.Data.Synthetic;

internal readonly struct V3(double x, double y, double z)
{
    public readonly double X = x, Y = y, Z = z;
    public static V3 operator +(V3 a, V3 b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static V3 operator -(V3 a, V3 b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static V3 operator *(V3 a, double s) => new(a.X * s, a.Y * s, a.Z * s);
    public static V3 operator *(V3 a, V3 b) => new(a.X * b.X, a.Y * b.Y, a.Z * b.Z);
    public static double Dot(V3 a, V3 b) => a.X * b.X + a.Y * b.Y + a.Z * b.Z;
    public static V3 Cross(V3 a, V3 b) => new(a.Y * b.Z - a.Z * b.Y, a.Z * b.X - a.X * b.Z, a.X * b.Y - a.Y * b.X);
    public double Length => Math.Sqrt(Dot(this, this));
    public V3 Normalized() { double l = Length; return l > 0 ? this * (1 / l) : this; }
}

internal struct Hit
{
    public double T;
    public V3 Normal;      // world frame, unit
    public V3 Local;       // primitive-local coordinates, for textures
    public int Surface;
    public Primitive? Prim;
}

/// <summary>A convex piece of an object with one class, one part and one albedo.</summary>
internal abstract class Primitive
{
    public byte ClassId, PartId;
    /// <summary>0: plain; otherwise the class pattern painted over the albedo (<see cref="ColourClasses.Pattern"/>).</summary>
    public byte Pattern;
    public int SurfaceBase;
    public V3 Albedo;
    public V3 BoundCenter;
    public double BoundRadius;

    /// <summary>Records the hit in <paramref name="hit"/> when it is nearer than <paramref name="tMax"/>.</summary>
    public abstract bool Intersect(V3 o, V3 d, double tMax, ref Hit hit);

    public virtual V3 Color(in Hit hit) => Albedo;
}
