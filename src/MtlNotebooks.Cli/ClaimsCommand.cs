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
    private const int DefaultSeeds = 5, DefaultEpochs = 8, DefaultImageSize = 48, DefaultTrainSamples = 1024, DefaultValSamples = 128, DefaultWidth = 8;
    private const double DefaultClassByTexture = 1;

    private readonly Option<bool> _tiny = new("--tiny") { Description = "A seconds-long smoke run (32x32 images, 16 scenes, one epoch, narrow networks)." };
    private readonly Option<string[]> _groups = new Option<string[]>("--group")
    {
        Description = $"The papers' tables to check (repeatable): {string.Join(", ", PaperClaimGroups.All.Select(g => g.Name))} (default: all).",
        AllowMultipleArgumentsPerToken = true,
    }.AcceptOnlyKeys(PaperClaimGroups.All.Select(g => g.Name));
    private readonly Option<int?> _seeds = new Option<int?>("--seeds") { Description = $"Seeds 0…N−1 (from --seed) every network trains with; a claim is a paired t-test over them (default {DefaultSeeds})." }.AtLeast(2);
    private readonly Option<int> _seed = new("--seed") { Description = "The first seed.", DefaultValueFactory = _ => 0 };
    private readonly Option<int?> _epochs = new Option<int?>("--epochs") { Description = $"Training epochs per network (default {DefaultEpochs})." }.AtLeast(1);
    private readonly Option<int?> _imageSize = new Option<int?>("--image-size") { Description = $"Side of the square synthetic images (default {DefaultImageSize})." }
        .Between(SyntheticScenes.MinSize, SyntheticScenes.MaxSize);
    private readonly Option<int?> _trainSamples = new Option<int?>("--train-samples") { Description = $"Synthetic training scenes (default {DefaultTrainSamples})." }.AtLeast(1);
    private readonly Option<int?> _valSamples = new Option<int?>("--val-samples") { Description = $"Synthetic validation scenes (default {DefaultValSamples})." }.AtLeast(1);
    private readonly Option<int?> _width = new Option<int?>("--width") { Description = $"Backbone width (default {DefaultWidth}; MTI-Net's group uses twice it, ASTMT's SE-ResNet-26 width/64)." }.AtLeast(1);
    private readonly Option<double?> _classByTexture = new Option<double?>("--class-by-texture")
    {
        Description = $"Share of the synthetic objects (0 to 1) whose surface pattern tells their class, so the tasks compete (default {DefaultClassByTexture}).",
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
        bool tiny = parse.GetValue(_tiny);
        var names = parse.GetValue(_groups) is { Length: > 0 } chosen ? chosen : PaperClaimGroups.All.Select(g => g.Name).ToArray();
        var options = new QuickExperimentOptions
        {
            Seed = parse.GetValue(_seed),
            Seeds = parse.GetValue(_seeds) ?? (tiny ? 2 : DefaultSeeds),
            Epochs = parse.GetValue(_epochs) ?? (tiny ? 1 : DefaultEpochs),
            ImageSize = parse.GetValue(_imageSize) ?? (tiny ? 32 : DefaultImageSize),
            TrainSamples = parse.GetValue(_trainSamples) ?? (tiny ? 16 : DefaultTrainSamples),
            ValidationSamples = parse.GetValue(_valSamples) ?? (tiny ? 8 : DefaultValSamples),
            Width = parse.GetValue(_width) ?? (tiny ? 4 : DefaultWidth),
            BatchSize = 8,
            PreviewSamples = 2,
            Scenes = new SceneOptions { ClassByTexture = parse.GetValue(_classByTexture) ?? DefaultClassByTexture, ClassByColour = parse.GetValue(_classByColour) ?? 0 },
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
