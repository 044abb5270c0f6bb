using MtlNotebooks.Runtime;

namespace MtlNotebooks.Data.Synthetic;

/// <summary>Image formation of a synthetic scene: light, shadow, haze and sensor noise over the rendered albedo.</summary>
internal static class SceneShading
{
    /// <summary>Lambertian shading with shadows, ambient light, exposure and distance haze, then sensor noise: turns
    /// albedo into the RGB image the network sees. <paramref name="light"/> is the light direction in camera space.</summary>
    public static void Shade(SyntheticScene scene, V3[] albedo, bool[] shadowed, V3 light, double ambient, ref SplitMix64 rng)
    {
        int n = albedo.Length;
        var fog = new V3(0.8, 0.8, 0.85);
        double exposure = rng.Uniform(0.85, 1.15);
        for (int p = 0; p < n; p++)
        {
            var a = albedo[p];
            double r = a.X, g = a.Y, b = a.Z;
            if (scene.SurfaceIds[p] != SyntheticScenes.NoSurface)
            {
                double cos = scene.Normals[p] * light.X + scene.Normals[n + p] * light.Y + scene.Normals[2 * n + p] * light.Z;
                double diffuse = Math.Max(0, cos) * (shadowed[p] ? 0.2 : 1);
                double gain = (ambient + (1 - ambient) * diffuse) * exposure;
                double haze = 1 - Math.Exp(-scene.Depth[p] / 40);
                r = r * gain * (1 - haze) + fog.X * haze;
                g = g * gain * (1 - haze) + fog.Y * haze;
                b = b * gain * (1 - haze) + fog.Z * haze;
            }
            // Triangular noise per channel from one 64-bit draw: two 10-bit uniforms per channel.
            ulong bits = rng.Next();
            scene.Image[p] = Noisy(r, bits);
            scene.Image[n + p] = Noisy(g, bits >> 20);
            scene.Image[2 * n + p] = Noisy(b, bits >> 40);
        }
    }

    private static float Noisy(double value, ulong bits)
    {
        double noise = ((double)(bits & 1023) + (bits >> 10 & 1023) - 1023) * (0.04 / 1023);
        return (float)Math.Clamp(value + noise, 0, 1);
    }
}
