namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>The order the MTI-Net and survey code gives a data set's tasks, main and auxiliary alike (its
/// <c>utils/config.py</c>: semseg, human_parts, sal, normals, edge, depth); tasks it does not know follow in the order
/// given. MTI-Net's FPM concatenates the task features in this order, and the code's channel-grouped attention
/// (<c>view(B, C, N, H, W)</c>) mixes neighbouring tasks' channels, so with auxiliary tasks another order is another
/// network: no permutation of the weights makes the authors' files give their outputs.</summary>
public static class ReferenceTaskOrder
{
    private static readonly string[] Known = ["semseg", "human_parts", "sal", "normals", "edge", "depth"];

    /// <summary><paramref name="tasks"/> in the reference code's order.</summary>
    public static IReadOnlyList<string> Of(IEnumerable<string> tasks) =>
        tasks.Select((task, index) => (task, index))
            .OrderBy(t => Array.IndexOf(Known, t.task) is var known and >= 0 ? known : Known.Length)
            .ThenBy(t => t.index)
            .Select(t => t.task)
            .ToArray();
}
