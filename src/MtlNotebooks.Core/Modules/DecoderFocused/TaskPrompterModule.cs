using MtlNotebooks.Modules.Layers;
using MtlNotebooks.Runtime;
using MtlNotebooks.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MtlNotebooks.Modules.DecoderFocused;

/// <summary>TaskPrompter (Ye &amp; Xu, "TaskPrompter: Spatial-Channel Multi-Task Prompting for Dense Scene Understanding",
/// ICLR 2023) as its official code builds it (<c>TaskPrompterWrapper</c>: <c>backbone</c>, <c>heads.&lt;task&gt;</c>), so the
/// official state dicts load by name: a ViT that carries one prompt per task through its blocks, task features read from the
/// prompts' spatial and channel affinities at four depths (<see cref="TaskPrompterEncoder"/>), and per task a conv head
/// (<c>mt_proj</c>: 3×3 conv, BN, GELU; <c>linear_pred</c>: 1×1) whose prediction is resized to the input. No deep
/// supervision: the loss is the tasks' weighted sum. Auxiliary tasks get a prompt and a head; their predictions are
/// intermediate ones named <see cref="AuxiliaryName"/>.</summary>
public sealed class TaskPrompterModule : MultiTaskNet
{
    /// <summary>The name of an auxiliary task's prediction among <see cref="TaskOutputs.Intermediate"/>.</summary>
    public const string AuxiliaryName = "auxiliary";

    private readonly TaskPrompterEncoder backbone;
    private readonly ModuleDict<Sequential> heads;
    private readonly TaskPrompterOptions _options;

    /// <param name="options">Tasks, ViT layout and decoder widths.</param>
    /// <param name="vitWeights">A timm ViT file (<c>.pth</c>, <c>.safetensors</c>) of the layout's size to start the
    /// transformer from, its position embedding resized to the grid; the prompting, decoder and heads keep their initialisation.</param>
    public TaskPrompterModule(TaskPrompterOptions options, string? vitWeights = null) : base(nameof(TaskPrompterModule), options.Tasks)
    {
        var problems = options.Validate("TaskPrompter").ToArray();
        if (problems.Length > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        _options = options;
        backbone = new TaskPrompterEncoder(options);
        heads = new ModuleDict<Sequential>();
        int f = options.FinalEmbedDim;
        foreach (var task in options.AllTasks)
            heads.Add(task, Sequential(
                ("mt_proj", Sequential(Ops.Conv2d(f, f, 3, padding: 1), Ops.BatchNorm2d(f), GELU())),
                ("linear_pred", Ops.Conv2d(f, options.OutputChannels[task], 1))));
        RegisterComponents();
        using (no_grad())
            foreach (var task in options.AllTasks) init.trunc_normal_(((Conv2d)((Sequential)heads[task][0])[0]).weight, std: 0.02);
        if (vitWeights is not null) LoadVit(vitWeights);
    }

    public override (int Height, int Width)? InputSize => (_options.Layout.ImageHeight, _options.Layout.ImageWidth);

    public override TaskOutputs forward(Tensor image)
    {
        var features = backbone.Encode(image);
        try
        {
            Tensor Predict(string task) => Resize.To(heads[task].call(features[task]), image.shape[2], image.shape[3]);
            return TaskOutputs.From(Tasks, Predict, _options.AuxiliaryTasks.Select(t => new IntermediatePrediction(t, AuxiliaryName, Predict(t))).ToArray());
        }
        finally
        {
            foreach (var feature in features.Values) feature.Dispose();
        }
    }

    /// <summary>How each task's prompt attends to the prompts in every block, [depth, T, T] (rows the attending task, main
    /// then auxiliary tasks): the joint attention among the prompts, softmaxed over them and averaged over heads and images.</summary>
    public Tensor PromptAttention(Tensor image) => backbone.PromptAttention(image);

    /// <summary>A timm ViT file into the transformer: its classifier and class token skipped, its position embedding (with the
    /// class token's slot) resized to this grid when made for another size, as the official <c>_load_weights</c> does.</summary>
    private void LoadVit(string path)
    {
        const string owner = "TaskPrompter";
        if (!File.Exists(path)) throw new FileNotFoundException($"{owner}: ViT weights file '{path}' does not exist.", path);
        using var loaded = StateDictFile.Read(path);
        var (height, width) = _options.Layout.Grid;
        if (loaded.Tensors.TryGetValue("pos_embed", out var stored) && stored.dim() == 3 && stored.shape[1] != height * width + 1)
            loaded.Replace("pos_embed", PositionEmbeddings.ResizeSquare(stored, height, width, classToken: true));
        PretrainedWeights.Load(backbone, loaded, owner,
            skippable: key => key is "cls_token" || key.StartsWith("head.", StringComparison.Ordinal) ||
                              key.StartsWith("pre_logits.", StringComparison.Ordinal) || key.StartsWith("fc_norm.", StringComparison.Ordinal),
            notInFile: key => !IsVitKey(key));
    }

    /// <summary>The keys a plain ViT file holds: everything of the transformer but the prompting.</summary>
    private static bool IsVitKey(string key) =>
        !key.Contains(".token_trans", StringComparison.Ordinal) && key != "task_prompts" &&
        !key.StartsWith("fea_", StringComparison.Ordinal) && !key.StartsWith("ctr_attn_conv.", StringComparison.Ordinal);
}
