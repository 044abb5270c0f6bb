using MtlNotebooks.Runtime;

namespace MtlNotebooks.Training;

/// <summary>The order in which training samples are visited: a permutation per epoch that depends only on
/// (seed, epoch), so a resumed run visits exactly the batches an uninterrupted one would.</summary>
public static class DataOrder
{
    public static int[] Permutation(int count, int seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var rng = new SplitMix64((ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)epoch + 1) * 0xD1B54A32D192ED03UL);
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)(rng.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
