using MtlNotebooks.Training;
using Spectre.Console;

namespace MtlNotebooks.Cli;

/// <summary>Renders training progress: a live bar with loss and ETA on a terminal, a line per epoch otherwise.</summary>
internal sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    private ProgressTask? _task;
    private int _lastEpochPrinted;
    private readonly bool _interactive = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    public static T Run<T>(string description, Func<IProgress<TrainingProgress>, T> work)
    {
        var progress = new ConsoleProgress();
        if (!progress._interactive)
        {
            Console.WriteLine(description);
            return work(progress);
        }
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                progress._task = ctx.AddTask(Markup.Escape(description));
                result = work(progress);
                progress._task.Value = progress._task.MaxValue;
            });
        return result;
    }

    public void Report(TrainingProgress value)
    {
        if (_task is not null)
        {
            _task.MaxValue = value.TotalSteps;
            _task.Value = value.Step;
            _task.Description = Markup.Escape($"{value.RunName} epoch {value.Epoch}/{value.Epochs} loss {value.Loss:0.000}");
            return;
        }
        bool endOfEpoch = value.Step == value.TotalSteps || value.Epoch != _lastEpochPrinted && value.Step % Math.Max(1, value.TotalSteps / value.Epochs) == 0;
        if (endOfEpoch)
        {
            _lastEpochPrinted = value.Epoch;
            Console.WriteLine($"  {value}");
        }
    }
}
