namespace MtlNotebooks.Training;

/// <summary>The order in which training samples are visited: a permutation per epoch that depends only on
/// (seed, epoch), so a resumed run visits exactly the batches an uninterrupted one would.</summary>
public static class DataOrder
{
    public static int[] Permutation(int count, int seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        ulong state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)epoch + 1) * 0xD1B54A32D192ED03UL;
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    // SplitMix64 (Steele et al. 2014): a fixed, documented generator, unlike System.Random's.
    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
