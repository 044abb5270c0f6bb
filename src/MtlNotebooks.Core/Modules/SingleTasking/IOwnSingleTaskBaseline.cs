namespace MtlNotebooks.Modules.SingleTasking;

/// <summary>An architecture whose Δm is measured against its own single-task networks, not the usual backbone + head per
/// task (ASTMT eq. 4: the same encoder and decoder trained for each task alone, Table 3's #T = 1 rows).</summary>
public interface IOwnSingleTaskBaseline
{
    IArchitecture SingleTaskBaseline { get; }
}
