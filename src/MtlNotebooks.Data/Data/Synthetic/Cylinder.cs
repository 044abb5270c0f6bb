using System.Numerics;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>A vertical cylinder on the floor (plant pot): side and top cap are separate surfaces.</summary>
internal sealed class Cylinder : Primitive
{
    private readonly V3 _base;
    private readonly double _r, _height;

    public Cylinder(V3 baseCenter, double radius, double height)
    {
        (_base, _r, _height) = (baseCenter, radius, height);
        BoundCenter = baseCenter + new V3(0, height / 2, 0);
        BoundRadius = Math.Sqrt(radius * radius + height * height / 4);
    }

    public override bool Intersect(V3 o, V3 d, double tMax, ref Hit hit)
    {
        double best = tMax;
        bool found = false;
        double ox = o.X - _base.X, oz = o.Z - _base.Z;
        double a = d.X * d.X + d.Z * d.Z;
        if (a > 1e-12)
        {
            double b = ox * d.X + oz * d.Z, c = ox * ox + oz * oz - _r * _r;
            double disc = b * b - a * c;
            if (disc >= 0)
            {
                double t = (-b - Math.Sqrt(disc)) / a;
                double y = o.Y + t * d.Y - _base.Y;
                if (t > 1e-6 && t < best && y >= 0 && y <= _height)
                {
                    best = t;
                    found = true;
                    hit.Normal = new V3((ox + t * d.X) / _r, 0, (oz + t * d.Z) / _r);
                    hit.Surface = SurfaceBase;
                }
            }
        }
        if (Math.Abs(d.Y) > 1e-12)
        {
            double t = (_base.Y + _height - o.Y) / d.Y;
            double px = ox + t * d.X, pz = oz + t * d.Z;
            if (t > 1e-6 && t < best && px * px + pz * pz <= _r * _r)
            {
                best = t;
                found = true;
                hit.Normal = new V3(0, 1, 0);
                hit.Surface = SurfaceBase + 1;
            }
        }
        if (!found) return false;
        hit.T = best;
        hit.Local = default;
        hit.Prim = this;
        return true;
    }

    // The top of the pot is soil.
    public override V3 Color(in Hit hit) => hit.Surface == SurfaceBase + 1 ? new V3(0.22, 0.15, 0.1) : Albedo;
}
