using System.Numerics;

namespace MtlNotebooks.Runtime;

/// <summary>SplitMix64 (Steele, Lea &amp; Flood 2014): tiny, fast and fully specified, unlike System.Random, so synthetic
/// scenes, data order and augmentation are identical across runtimes and a resumed run replays the same draws. Public so a
/// data set of your own draws the same way.</summary>
public struct SplitMix64(ulong state)
{
    private ulong _state = state;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong Next() => Mix(_state += 0x9E3779B97F4A7C15UL);
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    public double Uniform(double a, double b) => a + (b - a) * NextDouble();
    public int Int(int n) => (int)(NextDouble() * n);
    public bool Chance(double p) => NextDouble() < p;
}
