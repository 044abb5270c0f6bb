namespace MtlNotebooks.Data.Synthetic;

/// <summary>The labels a scene derives from its rendered depth and semantics rather than drawing them: surface normals
/// and the edge and saliency masks.</summary>
internal static class SceneLabels
{
    /// <summary>Unit normals in camera space from the depth map: the cross product of back-projected differences to
    /// same-surface neighbours, so normals agree with depth as a network can learn them; 1-pixel slivers fall back to
    /// the surface's analytic normal.</summary>
    public static void NormalsFromDepth(SyntheticScene scene, int height, int width, double focal, double cx, double cy, V3[] analytic, Func<V3, V3> toCamera)
    {
        var ids = scene.SurfaceIds;
        var depth = scene.Depth;
        int n = height * width;
        double invF = 1 / focal;

        for (int v = 0; v < height; v++)
        for (int u = 0; u < width; u++)
        {
            int p = v * width + u, id = ids[p];
            if (id == SyntheticScenes.NoSurface) continue;
            bool left = u > 0 && ids[p - 1] == id, right = u < width - 1 && ids[p + 1] == id;
            bool up = v > 0 && ids[p - width] == id, down = v < height - 1 && ids[p + width] == id;
            // Back-projected point of this pixel; differences to same-surface neighbours span the tangent plane.
            double z = depth[p], px = (u - cx) * z * invF, py = (v - cy) * z * invF;
            double nx, ny, nz;
            if ((left || right) && (up || down))
            {
                int pr = right ? p + 1 : p, pl = left ? p - 1 : p, pd = down ? p + width : p, pu = up ? p - width : p;
                double zr = depth[pr], zl = depth[pl], zd = depth[pd], zu = depth[pu];
                double ur = right ? u + 1 : u, ul = left ? u - 1 : u, vd = down ? v + 1 : v, vu = up ? v - 1 : v;
                double ax = ((ur - cx) * zr - (ul - cx) * zl) * invF, ay = (v - cy) * (zr - zl) * invF, az = zr - zl;
                double bx = (u - cx) * (zd - zu) * invF, by = ((vd - cy) * zd - (vu - cy) * zu) * invF, bz = zd - zu;
                (nx, ny, nz) = (ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx);
            }
            else (nx, ny, nz) = (0, 0, 0);
            double length = Math.Sqrt(nx * nx + ny * ny + nz * nz);
            if (length < 1e-12)
            {
                var c = toCamera(analytic[p]);
                (nx, ny, nz, length) = (c.X, c.Y, c.Z, c.Length);
            }
            double sign = nx * px + ny * py + nz * z > 0 ? -1 / length : 1 / length;   // face the camera
            scene.Normals[p] = (float)(nx * sign);
            scene.Normals[n + p] = (float)(ny * sign);
            scene.Normals[2 * n + p] = (float)(nz * sign);
        }
    }

    /// <summary>Semantic edges (label boundaries, 4-neighbourhood) and saliency (every object pixel).</summary>
    public static void DeriveMasks(SyntheticScene scene, int height, int width)
    {
        var sem = scene.Semseg;
        for (int v = 0; v < height; v++)
        for (int u = 0; u < width; u++)
        {
            int p = v * width + u;
            byte c = sem[p];
            bool edge = (u > 0 && sem[p - 1] != c) || (u < width - 1 && sem[p + 1] != c)
                        || (v > 0 && sem[p - width] != c) || (v < height - 1 && sem[p + width] != c);
            scene.Edges[p] = edge ? (byte)1 : (byte)0;
            scene.Saliency[p] = c != SyntheticScenes.BackgroundClass ? (byte)1 : (byte)0;
        }
    }
}
