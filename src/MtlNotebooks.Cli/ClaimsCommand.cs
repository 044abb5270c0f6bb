using System.CommandLine;
using MtlNotebooks.Analysis;
using MtlNotebooks.Data.Synthetic;
using MtlNotebooks.Experiments;
using MtlNotebooks.Training;

namespace MtlNotebooks.Cli;

/// <summary><c>run claims</c>: the command line's words for <see cref="ClaimsExperiment"/> on the papers' groups
/// (<see cref="PaperClaimGroups"/>). Problems the experiment would report are reported first, naming the option.</summary>
internal sealed class ClaimsCommand
{
    private static readonly QuickExperimentOptions Defaults = ClaimsExperiment.Defaults;

    private readonly Option<bool> _tiny = new("--tiny") { Description = "A seconds-long smoke run (32x32 images, 16 scenes, one epoch, narrow networks)." };
    private readonly Option<string[]> _groups = new Option<string[]>("--group")
    {
        Description = $"The papers' tables to check (repeatable): {string.Join(", ", PaperClaimGroups.All.Select(g => g.Name))} (default: all).",
        AllowMultipleArgumentsPerToken = true,
    }.AcceptOnlyKeys(PaperClaimGroups.All.Select(g => g.Name));
    private readonly Option<int?> _seeds = new Option<int?>("--seeds") { Description = $"Seeds 0…N−1 (from --seed) every network trains with; a claim is a paired t-test over them (default {Defaults.Seeds})." }.AtLeast(2);
    private readonly Option<int> _seed = new("--seed") { Description = "The first seed.", DefaultValueFactory = _ => 0 };
    private readonly Option<int?> _epochs = new Option<int?>("--epochs") { Description = $"Training epochs per network (default {Defaults.Epochs})." }.AtLeast(1);
    private readonly Option<int?> _imageSize = new Option<int?>("--image-size") { Description = $"Side of the square synthetic images (default {Defaults.ImageSize})." }
        .Between(SyntheticScenes.MinSize, SyntheticScenes.MaxSize);
    private readonly Option<int?> _trainSamples = new Option<int?>("--train-samples") { Description = $"Synthetic training scenes (default {Defaults.TrainSamples})." }.AtLeast(1);
    private readonly Option<int?> _valSamples = new Option<int?>("--val-samples") { Description = $"Synthetic validation scenes (default {Defaults.ValidationSamples})." }.AtLeast(1);
    private readonly Option<int?> _width = new Option<int?>("--width") { Description = $"Backbone width (default {Defaults.Width}; MTI-Net's group uses twice it, ASTMT's SE-ResNet-26 width/64)." }.AtLeast(1);
    private readonly Option<double?> _classByTexture = new Option<double?>("--class-by-texture")
    {
        Description = $"Share of the synthetic objects (0 to 1) whose surface pattern tells their class, so the tasks compete (default {Defaults.Scenes.ClassByTexture}).",
    }.Share();
    private readonly Option<double?> _classByColour = new Option<double?>("--class-by-colour") { Description = "Share of the synthetic objects (0 to 1) whose colour tells their class (default 0)." }.Share();
    private readonly Option<string?> _output = new("--output") { Description = "Run folder for claims.csv and one folder per group (default: the next free runs/claims/version_N)." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Continue the interrupted run in --output (finished networks are read from their checkpoints)." };

    public static Command Create() => new ClaimsCommand().Build();

    private Command Build()
    {
        var claims = new Command("claims",
            "Check the papers' claims by training (ASTMT Table 3, survey Table V, MTI-Net Table 2a) over fixed seeds: " +
            "both networks' Δm, the paired t-test and a verdict per claim; write claims.csv.")
        {
            _tiny, _groups, _seeds, _seed, _epochs, _imageSize, _trainSamples, _valSamples, _width, _classByTexture, _classByColour, _output, _resume,
        };
        claims.SetAction(Execute);
        return claims;
    }

    private int Execute(ParseResult parse)
    {
        if (parse.GetValue(_resume) && parse.GetValue(_output) is null) return CliError.Report("--resume acts on an existing run: name its folder with --output.");
        if (PathProblems.OfFolder("--output", parse.GetValue(_output)) is { } problem) return CliError.Report(problem);
        var names = parse.GetValue(_groups) is { Length: > 0 } chosen ? chosen : PaperClaimGroups.All.Select(g => g.Name).ToArray();
        var start = parse.GetValue(_tiny) ? ClaimsExperiment.Tiny : Defaults;
        var options = start with
        {
            Seed = parse.GetValue(_seed),
            Seeds = parse.GetValue(_seeds) ?? start.Seeds,
            Epochs = parse.GetValue(_epochs) ?? start.Epochs,
            ImageSize = parse.GetValue(_imageSize) ?? start.ImageSize,
            TrainSamples = parse.GetValue(_trainSamples) ?? start.TrainSamples,
            ValidationSamples = parse.GetValue(_valSamples) ?? start.ValidationSamples,
            Width = parse.GetValue(_width) ?? start.Width,
            Scenes = new SceneOptions
            {
                ClassByTexture = parse.GetValue(_classByTexture) ?? start.Scenes.ClassByTexture,
                ClassByColour = parse.GetValue(_classByColour) ?? start.Scenes.ClassByColour,
            },
            OutputDirectory = parse.GetValue(_output),
            ExistingRun = parse.GetValue(_resume) ? ExistingRun.Resume : ExistingRun.Refuse,
        };
        try
        {
            var started = DateTime.UtcNow;
            var result = ClaimsExperiment.Run(names.Select(PaperClaimGroups.Get).ToArray(), options, Console.Out);
            Console.WriteLine();
            Console.WriteLine(DeltaM.ToText(result.Table));
            Console.WriteLine();
            Console.WriteLine($"{result.Summary}.");
            Console.WriteLine($"Claims:      {result.ClaimsCsvPath}");
            Console.WriteLine($"Finished in {DateTime.UtcNow - started:h\\:mm\\:ss}.");
            return 0;
        }
        catch (ExistingRunException ex)
        {
            return CliError.Report($"--output {ex.Folder} already holds a run: pass --resume to continue it, or another --output.");
        }
        catch (Exception ex) when (ex is ArgumentException or BuildException or TrainingDivergedException or CheckpointException or IOException or UnauthorizedAccessException)
        {
            return CliError.Report(ex.Message);
        }
    }
}
