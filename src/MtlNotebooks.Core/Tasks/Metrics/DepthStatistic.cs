namespace MtlNotebooks.Tasks.Metrics;

/// <summary>Which depth error <see cref="DepthError"/> reports.</summary>
public enum DepthStatistic
{
    /// <summary>√(mean (d̂ − d)²), metres.</summary>
    Rmse,

    /// <summary>√(mean (log d̂ − log d)²), as the references' DepthMeter ("log_rmse").</summary>
    LogRmse,

    /// <summary>mean |d̂ − d| / d.</summary>
    AbsRel,

    /// <summary>% of pixels with max(d̂/d, d/d̂) &lt; 1.25.</summary>
    Delta1,

    /// <summary>% of pixels with max(d̂/d, d/d̂) &lt; 1.25².</summary>
    Delta2,

    /// <summary>% of pixels with max(d̂/d, d/d̂) &lt; 1.25³.</summary>
    Delta3,
}
