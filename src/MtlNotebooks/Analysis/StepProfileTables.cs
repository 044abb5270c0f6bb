using Microsoft.Data.Analysis;
using MtlNotebooks.Training;

namespace MtlNotebooks.Analysis;

/// <summary>A <see cref="StepProfile"/>'s times as DataFrames (the core keeps them as rows, free of table packages).</summary>
public static class StepProfileTables
{
    /// <summary>One row per phase: ms per step, share of the step (evaluation, outside the steps, has no share).</summary>
    public static DataFrame PhaseTable(this StepProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var rows = profile.PhaseTimes();
        return new DataFrame(
            new StringDataFrameColumn("phase", rows.Select(r => r.Phase)),
            new DoubleDataFrameColumn("ms per step", rows.Select(r => r.MillisecondsPerStep)),
            new DoubleDataFrameColumn("share of step (%)", rows.Select(r => r.ShareOfStep)));
    }

    /// <summary>One row per attached module, slowest first: forward ms per step.</summary>
    public static DataFrame ModuleTable(this StepProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var rows = profile.ModuleTimes();
        return new DataFrame(
            new StringDataFrameColumn("module", rows.Select(r => r.Module)),
            new DoubleDataFrameColumn("forward ms per step", rows.Select(r => r.ForwardMillisecondsPerStep)));
    }
}
