using System.Numerics;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>An ellipsoid with orthonormal axes: spheres, heads, limbs, plant crowns.</summary>
internal sealed class Ellipsoid : Primitive
{
    private readonly V3 _ax, _ay, _az, _r;
    // Axes divided by the radii, as plain doubles: this is the innermost loop (fast even without JIT optimisation).
    private readonly double _cx, _cy, _cz, _xx, _xy, _xz, _yx, _yy, _yz, _zx, _zy, _zz;
    public V3? Stripe;     // second colour in sectors (beach ball)
    public int Sectors;

    public Ellipsoid(V3 center, V3 ax, V3 ay, V3 az, V3 radii)
    {
        (_ax, _ay, _az, _r) = (ax, ay, az, radii);
        (_cx, _cy, _cz) = (center.X, center.Y, center.Z);
        (_xx, _xy, _xz) = (ax.X / radii.X, ax.Y / radii.X, ax.Z / radii.X);
        (_yx, _yy, _yz) = (ay.X / radii.Y, ay.Y / radii.Y, ay.Z / radii.Y);
        (_zx, _zy, _zz) = (az.X / radii.Z, az.Y / radii.Z, az.Z / radii.Z);
        BoundCenter = center;
        BoundRadius = Math.Max(radii.X, Math.Max(radii.Y, radii.Z));
    }

    public override bool Intersect(V3 o, V3 d, double tMax, ref Hit hit)
    {
        double px = o.X - _cx, py = o.Y - _cy, pz = o.Z - _cz;
        double ox = px * _xx + py * _xy + pz * _xz, oy = px * _yx + py * _yy + pz * _yz, oz = px * _zx + py * _zy + pz * _zz;
        double dx = d.X * _xx + d.Y * _xy + d.Z * _xz, dy = d.X * _yx + d.Y * _yy + d.Z * _yz, dz = d.X * _zx + d.Y * _zy + d.Z * _zz;
        double a = dx * dx + dy * dy + dz * dz, b = ox * dx + oy * dy + oz * dz, c = ox * ox + oy * oy + oz * oz - 1;
        double disc = b * b - a * c;
        if (disc < 0) return false;
        double t = (-b - Math.Sqrt(disc)) / a;
        if (t <= 1e-6 || t >= tMax) return false;
        var l = new V3(ox + t * dx, oy + t * dy, oz + t * dz);
        hit.T = t;
        hit.Local = l;
        hit.Normal = (_ax * (l.X / _r.X) + _ay * (l.Y / _r.Y) + _az * (l.Z / _r.Z)).Normalized();
        hit.Surface = SurfaceBase;
        hit.Prim = this;
        return true;
    }

    public override V3 Color(in Hit hit)
    {
        if (Stripe is not { } stripe || Sectors == 0) return Albedo;
        double angle = Math.Atan2(hit.Local.X, hit.Local.Z) + Math.PI;
        return (int)(angle / (2 * Math.PI) * Sectors) % 2 == 0 ? Albedo : stripe;
    }
}
