using System.Numerics;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>A box standing on the floor, turned about the vertical axis; one surface per face.</summary>
internal sealed class Box : Primitive
{
    private readonly V3 _c, _ax, _az, _h;
    private static readonly V3 Up = new(0, 1, 0);
    public V3? Tape;       // a strip of tape across the top face

    public Box(V3 center, double yaw, V3 halfExtents)
    {
        _c = center;
        _ax = new V3(Math.Cos(yaw), 0, -Math.Sin(yaw));
        _az = new V3(Math.Sin(yaw), 0, Math.Cos(yaw));
        _h = halfExtents;
        BoundCenter = center;
        BoundRadius = halfExtents.Length;
    }

    public override bool Intersect(V3 o, V3 d, double tMax, ref Hit hit)
    {
        var oc = o - _c;
        Span<double> lo = [V3.Dot(oc, _ax), oc.Y, V3.Dot(oc, _az)];
        Span<double> ld = [V3.Dot(d, _ax), d.Y, V3.Dot(d, _az)];
        Span<double> h = [_h.X, _h.Y, _h.Z];
        double tNear = double.NegativeInfinity, tFar = double.PositiveInfinity;
        int face = 0;
        for (int i = 0; i < 3; i++)
        {
            if (Math.Abs(ld[i]) < 1e-12)
            {
                if (Math.Abs(lo[i]) > h[i]) return false;
                continue;
            }
            double t1 = (-h[i] - lo[i]) / ld[i], t2 = (h[i] - lo[i]) / ld[i];
            double enter = Math.Min(t1, t2), exit = Math.Max(t1, t2);
            if (enter > tNear) { tNear = enter; face = 2 * i + (ld[i] > 0 ? 0 : 1); }
            tFar = Math.Min(tFar, exit);
        }
        if (tNear > tFar || tNear <= 1e-6 || tNear >= tMax) return false;
        int axis = face / 2;
        double sign = face % 2 == 0 ? -1 : 1;
        hit.T = tNear;
        hit.Local = new V3(lo[0] + tNear * ld[0], lo[1] + tNear * ld[1], lo[2] + tNear * ld[2]);
        hit.Normal = (axis == 0 ? _ax : axis == 1 ? Up : _az) * sign;
        hit.Surface = SurfaceBase + face;
        hit.Prim = this;
        return true;
    }

    public override V3 Color(in Hit hit)
    {
        bool top = hit.Surface == SurfaceBase + 3;
        return Tape is { } tape && top && Math.Abs(hit.Local.Z) < 0.07 ? tape : Albedo;
    }
}
