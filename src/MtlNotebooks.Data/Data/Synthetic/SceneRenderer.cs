using MtlNotebooks.Runtime;
using System.Numerics;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>Draws the scene parameters from the (seed, index) stream and renders the labels and the image.</summary>
internal sealed class SceneRenderer
{
    private readonly int _h, _w;
    private SplitMix64 _rng;
    // Draws of the scene options come from a stream of their own, so options at 0 leave the scene's draws untouched.
    private SplitMix64 _optionRng;
    private readonly SceneOptions _options;

    // Camera: at (0, height, 0) in a world with y up and the floor at y = 0, pitched down.
    private double _camHeight, _focal, _cx, _cy;
    private V3 _right, _down, _forward, _origin;

    // Back wall: the plane through (0, 0, distance) with unit normal facing the camera; optional window.
    private V3 _wallPoint, _wallNormal, _wallTangent;
    private bool _hasWindow;
    private double _winS0, _winS1, _winY0, _winY1;

    private V3 _floorColor, _wallColor;
    private double _tile, _tileContrast, _stripePeriod, _stripeContrast;
    private V3 _lightWorld;
    private double _ambient;
    private readonly List<SceneObject> _objects = [];
    private int _nextSurface = SyntheticScenes.WallSurface + 1;

    public SceneRenderer(int seed, int index, int height, int width, SceneOptions options)
    {
        (_h, _w, _options) = (height, width, options);
        // Seed and index are mixed separately so (s, i) and (s', i') streams do not collide by simple shifts.
        ulong state = SplitMix64.Mix((ulong)(uint)seed * 0xD1B54A32D192ED03UL + 0x632BE59BD9B4E019UL)
                      ^ SplitMix64.Mix((ulong)(uint)index + 0x9E3779B97F4A7C15UL);
        _rng = new SplitMix64(state);
        _optionRng = new SplitMix64(SplitMix64.Mix(state ^ 0x5DEECE66DUL));
    }

    public SyntheticScene Render()
    {
        SetUpCamera();
        SetUpRoom();
        PlaceObjects();
        var scene = new SyntheticScene(_h, _w);
        var depth = scene.Depth;
        var analytic = new V3[_h * _w];      // world normals, used only for 1-pixel slivers
        var albedo = new V3[_h * _w];
        var shadowed = new bool[_h * _w];
        foreach (var obj in _objects) ScreenRect(obj);

        for (int v = 0; v < _h; v++)
        for (int u = 0; u < _w; u++)
        {
            int p = v * _w + u;
            var d = Ray(u, v);
            var hit = CastBackground(d);
            foreach (var obj in _objects)
            {
                if (u < obj.U0 || u > obj.U1 || v < obj.V0 || v > obj.V1 || !obj.MayHit(_origin, d, hit.T)) continue;
                foreach (var part in obj.Parts) part.Intersect(_origin, d, hit.T, ref hit);
            }
            scene.SurfaceIds[p] = hit.Surface;
            if (hit.Surface == SyntheticScenes.NoSurface)
            {
                albedo[p] = Sky(v);
                continue;
            }
            // The ray has unit forward component, so the ray parameter is the camera-frame z.
            depth[p] = (float)hit.T;
            var point = _origin + d * hit.T;
            if (hit.Prim is { } prim)
            {
                scene.Semseg[p] = prim.ClassId;
                scene.HumanParts[p] = prim.PartId;
                albedo[p] = prim.Pattern == 0 ? prim.Color(hit) : ColourClasses.Pattern(prim, point);
            }
            else albedo[p] = BackgroundColor(hit.Surface, point);
            analytic[p] = hit.Normal;
            shadowed[p] = V3.Dot(hit.Normal, _lightWorld) > 0 && InShadow(point + hit.Normal * 1e-4);
        }

        SceneLabels.NormalsFromDepth(scene, _h, _w, _focal, _cx, _cy, analytic, ToCamera);
        SceneLabels.DeriveMasks(scene, _h, _w);
        SceneShading.Shade(scene, albedo, shadowed, ToCamera(_lightWorld), _ambient, ref _rng);

        scene.Focal = (float)_focal;
        scene.FloorNormal = ToVector3(ToCamera(new V3(0, 1, 0)));
        scene.LightDirection = ToVector3(ToCamera(_lightWorld));
        scene.ObjectClasses = _objects.Select(o => o.ClassId).ToArray();
        return scene;
    }

    private void SetUpCamera()
    {
        _camHeight = _rng.Uniform(1.3, 1.7);
        double pitch = _rng.Uniform(10, 18) * Math.PI / 180;
        _focal = 1.1 * Math.Max(_h, _w);   // about 49° across the longer side
        _cx = (_w - 1) / 2.0;
        _cy = (_h - 1) / 2.0;
        _origin = new V3(0, _camHeight, 0);
        _right = new V3(1, 0, 0);
        _forward = new V3(0, -Math.Sin(pitch), Math.Cos(pitch));
        _down = new V3(0, -Math.Cos(pitch), -Math.Sin(pitch));
    }

    private void SetUpRoom()
    {
        double distance = _rng.Uniform(6.5, 8.5);
        double yaw = _rng.Uniform(-15, 15) * Math.PI / 180;
        _wallPoint = new V3(0, 0, distance);
        _wallNormal = new V3(-Math.Sin(yaw), 0, -Math.Cos(yaw));
        _wallTangent = new V3(Math.Cos(yaw), 0, -Math.Sin(yaw));
        _hasWindow = _rng.Chance(0.35);
        double center = _rng.Uniform(-2.5, 2.5), halfWidth = _rng.Uniform(0.5, 1.2);
        (_winS0, _winS1) = (center - halfWidth, center + halfWidth);
        _winY0 = _rng.Uniform(1.6, 2.2);
        _winY1 = _winY0 + _rng.Uniform(1.2, 2.5);

        _floorColor = Hsv(_rng.Uniform(15, 45), _rng.Uniform(0.1, 0.45), _rng.Uniform(0.45, 0.8));
        _tile = _rng.Uniform(0.4, 1.0);
        _tileContrast = _rng.Uniform(0.04, 0.15);
        _wallColor = Hsv(_rng.Uniform(0, 360), _rng.Uniform(0.05, 0.3), _rng.Uniform(0.6, 0.9));
        _stripePeriod = _rng.Uniform(0.25, 0.6);
        _stripeContrast = _rng.Chance(0.5) ? _rng.Uniform(0.03, 0.08) : 0;

        // Light from above, mostly from the camera's side, so most visible surfaces are lit.
        _lightWorld = new V3(_rng.Uniform(-1, 1), _rng.Uniform(0.8, 2.0), _rng.Uniform(-1.2, 0.2)).Normalized();
        _ambient = _rng.Uniform(0.3, 0.45);
    }

    private void PlaceObjects()
    {
        double u = _rng.NextDouble();
        int count = u < 0.15 ? 1 : u < 0.4 ? 2 : u < 0.65 ? 3 : u < 0.85 ? 4 : 5;
        bool forcePerson = _rng.Chance(0.5);   // with the random draws, a person in ~60% of scenes
        var footprints = new List<(double X, double Z, double R)>();
        for (int i = 0; i < count; i++)
        {
            byte cls = i == 0 && forcePerson ? SyntheticScenes.PersonClass : DrawClass();
            // With ClassByColour or ClassByTexture the shape is drawn apart from the class, and the colour or pattern tells it.
            bool byColour = cls != SyntheticScenes.PersonClass && _options.ClassByColour > 0 && _optionRng.Chance(_options.ClassByColour);
            bool byTexture = !byColour && cls != SyntheticScenes.PersonClass && _options.ClassByTexture > 0 && _optionRng.Chance(_options.ClassByTexture);
            byte shape = byColour || byTexture ? ColourClasses.Shapes[_optionRng.Int(ColourClasses.Shapes.Length)] : cls;
            for (int attempt = 0; attempt < 20; attempt++)
            {
                double radius = FootprintRadius(shape);
                // People start farther away so their heads usually stay in view.
                double z = cls == SyntheticScenes.PersonClass ? _rng.Uniform(2.6, 5.0) : _rng.Uniform(1.8, 5.5);
                double halfView = z * (_w / 2.0) / _focal;
                double x = _rng.Uniform(-0.85, 0.85) * halfView;
                var fp = (x, z, radius);
                // Keep objects in front of the wall and apart from each other.
                double wallGap = V3.Dot(_wallPoint - new V3(x, 0, z), _wallNormal * -1);
                if (wallGap < radius + 0.3) continue;
                if (footprints.Any(f => Math.Pow(f.X - x, 2) + Math.Pow(f.Z - z, 2) < Math.Pow(f.R + radius + 0.05, 2)))
                    continue;
                footprints.Add(fp);
                var obj = byColour ? ColourClasses.Recolour(Build(shape, x, z, radius), cls, ref _optionRng)
                    : byTexture ? ColourClasses.Retexture(Build(shape, x, z, radius), cls, ref _optionRng)
                    : Build(cls, x, z, radius);
                obj.ComputeBounds();
                _objects.Add(obj);
                break;
            }
        }
    }

    private byte DrawClass()
    {
        double u = _rng.NextDouble();
        return u < 0.32 ? SyntheticScenes.BoxClass : u < 0.64 ? SyntheticScenes.BallClass : u < 0.9 ? SyntheticScenes.PlantClass : SyntheticScenes.PersonClass;
    }

    // Size parameters drawn here and reused by Build, so the footprint matches the object.
    private double _sizeA, _sizeB, _sizeC;

    private double FootprintRadius(byte cls)
    {
        switch (cls)
        {
            case SyntheticScenes.BoxClass:
                (_sizeA, _sizeB, _sizeC) = (_rng.Uniform(0.2, 0.5), _rng.Uniform(0.15, 0.5), _rng.Uniform(0.2, 0.5));
                return Math.Sqrt(_sizeA * _sizeA + _sizeC * _sizeC);
            case SyntheticScenes.BallClass:
                _sizeA = _rng.Uniform(0.15, 0.4);
                return _sizeA;
            case SyntheticScenes.PersonClass:
                _sizeA = _rng.Uniform(1.45, 1.9) / 1.75;
                return 0.4 * _sizeA;
            default:
                (_sizeA, _sizeB, _sizeC) = (_rng.Uniform(0.15, 0.28), _rng.Uniform(0.25, 0.5), _rng.Uniform(0.25, 0.45));
                return Math.Max(_sizeA, _sizeC);
        }
    }

    private SceneObject Build(byte cls, double x, double z, double radius)
    {
        var parts = new List<Primitive>();
        var ground = new V3(x, 0, z);
        switch (cls)
        {
            case SyntheticScenes.BoxClass:
            {
                var color = _rng.Chance(0.7)
                    ? Hsv(_rng.Uniform(22, 40), _rng.Uniform(0.4, 0.65), _rng.Uniform(0.5, 0.8))
                    : Hsv(_rng.Uniform(0, 360), _rng.Uniform(0.3, 0.7), _rng.Uniform(0.4, 0.85));
                var box = new Box(ground + new V3(0, _sizeB, 0), _rng.Uniform(0, Math.PI / 2), new V3(_sizeA, _sizeB, _sizeC))
                {
                    Albedo = color,
                    Tape = _rng.Chance(0.5) ? color * 1.25 : null,
                };
                Add(parts, box, cls, SyntheticScenes.NoPart, 6);
                break;
            }
            case SyntheticScenes.BallClass:
            {
                var ball = new Ellipsoid(ground + new V3(0, _sizeA, 0), Axis(1, 0, 0), Axis(0, 1, 0), Axis(0, 0, 1), new V3(_sizeA, _sizeA, _sizeA))
                {
                    Albedo = Hsv(_rng.Uniform(0, 360), _rng.Uniform(0.55, 0.95), _rng.Uniform(0.6, 0.95)),
                };
                if (_rng.Chance(0.4))
                {
                    ball.Stripe = Hsv(_rng.Uniform(0, 360), _rng.Uniform(0.1, 0.9), _rng.Uniform(0.7, 1.0));
                    ball.Sectors = 2 * (2 + _rng.Int(3));
                }
                Add(parts, ball, cls, SyntheticScenes.NoPart, 1);
                break;
            }
            case SyntheticScenes.PersonClass:
                BuildPerson(parts, ground, _sizeA);
                break;
            default:
            {
                var pot = new Cylinder(ground, _sizeA, _sizeB)
                {
                    Albedo = _rng.Chance(0.7)
                        ? Hsv(_rng.Uniform(10, 30), _rng.Uniform(0.4, 0.7), _rng.Uniform(0.4, 0.7))
                        : Hsv(0, 0, _rng.Uniform(0.3, 0.8)),
                };
                Add(parts, pot, cls, SyntheticScenes.NoPart, 2);
                double stretch = _rng.Uniform(0.9, 1.5);
                var crown = new Ellipsoid(ground + new V3(0, _sizeB + _sizeC * stretch * 0.8, 0), Axis(1, 0, 0), Axis(0, 1, 0), Axis(0, 0, 1),
                    new V3(_sizeC, _sizeC * stretch, _sizeC))
                {
                    Albedo = Hsv(_rng.Uniform(75, 150), _rng.Uniform(0.4, 0.85), _rng.Uniform(0.25, 0.65)),
                };
                Add(parts, crown, cls, SyntheticScenes.NoPart, 1);
                break;
            }
        }
        return new SceneObject(cls, parts);
    }

    private void BuildPerson(List<Primitive> parts, V3 ground, double s)
    {
        // Body frame: turned to face the camera within ±35°.
        double yaw = _rng.Uniform(-35, 35) * Math.PI / 180;
        var bx = new V3(Math.Cos(yaw), 0, -Math.Sin(yaw));
        var by = new V3(0, 1, 0);
        var bz = new V3(Math.Sin(yaw), 0, Math.Cos(yaw));
        V3 At(double lx, double ly) => ground + bx * (lx * s) + by * (ly * s);

        var skin = Hsv(_rng.Uniform(15, 35), _rng.Uniform(0.25, 0.6), _rng.Uniform(0.35, 0.95));
        var shirt = Hsv(_rng.Uniform(0, 360), _rng.Uniform(0.2, 0.9), _rng.Uniform(0.3, 0.9));
        var trousers = Hsv(_rng.Uniform(0, 360), _rng.Uniform(0.1, 0.6), _rng.Uniform(0.15, 0.55));
        var sleeves = _rng.Chance(0.5) ? skin : shirt;

        void Limb(double px, double py, double angle, double length, double thickness, byte part, V3 color)
        {
            // A limb hangs from its joint, swung sideways in the body plane by the angle.
            var axis = (bx * Math.Sin(angle) - by * Math.Cos(angle)).Normalized();
            var ax = V3.Cross(axis, bz).Normalized();
            var center = At(px, py) + axis * ((length / 2 - 0.05) * s);   // overlap the joint: ellipsoid ends taper
            var limb = new Ellipsoid(center, ax, axis, bz, new V3(thickness * s, length / 2 * s, thickness * s)) { Albedo = color };
            Add(parts, limb, SyntheticScenes.PersonClass, part, 1);
        }

        double legSpread = _rng.Uniform(0, 12) * Math.PI / 180;
        Limb(-0.1, 0.92, -legSpread, 0.97, 0.095, SyntheticScenes.LegsPart, trousers);
        Limb(0.1, 0.92, legSpread, 0.97, 0.095, SyntheticScenes.LegsPart, trousers);
        var torso = new Ellipsoid(At(0, 1.17), bx, by, bz, new V3(0.21 * s, 0.32 * s, 0.13 * s)) { Albedo = shirt };
        Add(parts, torso, SyntheticScenes.PersonClass, SyntheticScenes.TorsoPart, 1);
        // Shoulders sit inside the torso's outline so the tapered arm ends join it.
        Limb(-0.2, 1.47, -_rng.Uniform(5, 30) * Math.PI / 180, 0.72, 0.07, SyntheticScenes.ArmsPart, sleeves);
        Limb(0.2, 1.47, _rng.Uniform(5, 30) * Math.PI / 180, 0.72, 0.07, SyntheticScenes.ArmsPart, sleeves);
        var head = new Ellipsoid(At(0, 1.61), bx, by, bz, new V3(0.11 * s, 0.135 * s, 0.115 * s)) { Albedo = skin };
        Add(parts, head, SyntheticScenes.PersonClass, SyntheticScenes.HeadPart, 1);
    }

    private void Add(List<Primitive> parts, Primitive prim, byte cls, byte part, int surfaces)
    {
        prim.ClassId = cls;
        prim.PartId = part;
        prim.SurfaceBase = _nextSurface;
        _nextSurface += surfaces;
        parts.Add(prim);
    }

    private static V3 Axis(double x, double y, double z) => new(x, y, z);

    // The right axis is world x, so only the down and forward axes mix.
    private V3 Ray(double u, double v)
    {
        double a = (u - _cx) / _focal, b = (v - _cy) / _focal;
        return new V3(a, b * _down.Y + _forward.Y, b * _down.Z + _forward.Z);
    }

    /// <summary>Projects the bounding sphere into a conservative pixel rectangle (whole image if it reaches
    /// behind the camera).</summary>
    private void ScreenRect(SceneObject obj)
    {
        (obj.U0, obj.U1, obj.V0, obj.V1) = (0, _w - 1, 0, _h - 1);
        var c = ToCamera(obj.BoundCenter - _origin);
        double r = obj.BoundRadius;
        if (c.Z - r < 0.05) return;
        // x/z over the box around the sphere is extreme at its corners (z > 0).
        double xMin = Math.Min((c.X - r) / (c.Z - r), (c.X - r) / (c.Z + r)), xMax = Math.Max((c.X + r) / (c.Z - r), (c.X + r) / (c.Z + r));
        double yMin = Math.Min((c.Y - r) / (c.Z - r), (c.Y - r) / (c.Z + r)), yMax = Math.Max((c.Y + r) / (c.Z - r), (c.Y + r) / (c.Z + r));
        obj.U0 = (int)Math.Clamp(Math.Floor(_cx + _focal * xMin) - 1, 0, _w);
        obj.U1 = (int)Math.Clamp(Math.Ceiling(_cx + _focal * xMax) + 1, -1, _w - 1);
        obj.V0 = (int)Math.Clamp(Math.Floor(_cy + _focal * yMin) - 1, 0, _h);
        obj.V1 = (int)Math.Clamp(Math.Ceiling(_cy + _focal * yMax) + 1, -1, _h - 1);
    }

    private Hit CastBackground(V3 d)
    {
        var hit = new Hit { T = double.PositiveInfinity, Surface = SyntheticScenes.NoSurface };
        if (d.Y < -1e-9)
        {
            hit.T = -_camHeight / d.Y;
            hit.Normal = new V3(0, 1, 0);
            hit.Surface = SyntheticScenes.FloorSurface;
        }
        double denom = V3.Dot(d, _wallNormal);
        if (denom < -1e-9)
        {
            double t = V3.Dot(_wallPoint - _origin, _wallNormal) / denom;
            if (t > 0 && t < hit.T)
            {
                hit.T = t;
                hit.Normal = _wallNormal;
                hit.Surface = SyntheticScenes.WallSurface;
                var p = _origin + d * t;
                double s = V3.Dot(p - _wallPoint, _wallTangent);
                if (_hasWindow && s > _winS0 && s < _winS1 && p.Y > _winY0 && p.Y < _winY1)
                    hit.Surface = SyntheticScenes.NoSurface;   // the window keeps T so objects in front still win
            }
        }
        return hit;
    }

    private V3 BackgroundColor(int surface, V3 p)
    {
        if (surface == SyntheticScenes.FloorSurface)
        {
            bool odd = ((int)Math.Floor(p.X / _tile) + (int)Math.Floor(p.Z / _tile)) % 2 != 0;
            return _floorColor * (odd ? 1 - _tileContrast : 1 + _tileContrast);
        }
        double s = V3.Dot(p - _wallPoint, _wallTangent);
        double stripe = Math.Sin(2 * Math.PI * s / _stripePeriod) > 0 ? 1 : -1;
        // A darker skirting board where the wall meets the floor.
        return p.Y < 0.12 ? _wallColor * 0.55 : _wallColor * (1 + _stripeContrast * stripe);
    }

    private V3 Sky(int v) => new V3(0.62, 0.78, 0.95) + new V3(0.2, 0.12, 0.04) * (v / (double)_h);

    private bool InShadow(V3 p)
    {
        foreach (var obj in _objects)
        {
            if (!obj.MayHit(p, _lightWorld, double.PositiveInfinity)) continue;
            var hit = new Hit();
            foreach (var prim in obj.Parts)
                if (prim.Intersect(p, _lightWorld, double.PositiveInfinity, ref hit)) return true;
        }
        return false;
    }

    private V3 ToCamera(V3 world) => new(V3.Dot(world, _right), V3.Dot(world, _down), V3.Dot(world, _forward));

    private static Vector3 ToVector3(V3 v) => new((float)v.X, (float)v.Y, (float)v.Z);

    private static V3 Hsv(double hue, double sat, double val)
    {
        var (r, g, b) = LabelImages.HsvToUnitRgb(hue, sat, val);
        return new V3(r, g, b);
    }
}
