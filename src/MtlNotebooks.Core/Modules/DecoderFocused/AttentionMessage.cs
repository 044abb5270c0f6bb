using static TorchSharp.torch;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>The attention scores one InvPT stage hands to the next (the official code's <c>messages['attn']</c>); owns them.</summary>
internal sealed class AttentionMessage : IDisposable
{
    public Tensor? Score { get; private set; }

    /// <summary>The query grid of each task's rows of <see cref="Score"/>.</summary>
    public (long Height, long Width) Queries { get; private set; }

    /// <summary>Keeps <paramref name="score"/> (detached from any dispose scope) in place of the previous one.</summary>
    public void Replace(Tensor score, long queryHeight, long queryWidth)
    {
        var kept = score.alias().DetachFromDisposeScope();
        Score?.Dispose();
        Score = kept;
        Queries = (queryHeight, queryWidth);
    }

    public void Dispose()
    {
        Score?.Dispose();
        Score = null;
    }
}
