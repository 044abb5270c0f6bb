namespace MtlNotebooks.Balancing;

/// <summary>Which part of IMTL to use.</summary>
public enum ImtlMode
{
    /// <summary>IMTL-L and IMTL-G together (the paper's full method).</summary>
    Hybrid,
    /// <summary>IMTL-G: gradient balancing only.</summary>
    Gradient,
    /// <summary>IMTL-L: loss scaling only.</summary>
    Loss,
}
