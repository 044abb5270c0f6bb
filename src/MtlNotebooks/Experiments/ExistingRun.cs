namespace MtlNotebooks.Experiments;

/// <summary>What an experiment does when its output folder already holds a run.</summary>
public enum ExistingRun
{
    /// <summary>Stop before any work (<see cref="ExistingRunException"/>): a good run is never replaced by accident.</summary>
    Refuse,

    /// <summary>Continue it: finished networks are read from their checkpoints, an interrupted one resumes from its last
    /// epoch. The settings must equal the ones the run was started with.</summary>
    Resume,

    /// <summary>Delete the files the run listed in its <c>run.json</c> (checkpoints, CSVs, report, settings) and start
    /// again; other files stay. A folder with files but no <c>run.json</c> is refused: nothing says they are a run's.</summary>
    Overwrite,
}
