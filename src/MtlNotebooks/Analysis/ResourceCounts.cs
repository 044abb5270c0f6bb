using MtlNotebooks.Runtime;
using Microsoft.Data.Analysis;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MtlNotebooks.Analysis;

/// <summary>Counts parameters and multiply-accumulates by tracing one forward pass with forward hooks on every
/// Conv2d, Linear and BatchNorm2d. MACs per image: a conv Cout·Hout·Wout·(Cin/groups)·kh·kw, a linear layer
/// out·in, a batch norm one per output element (its folded scale-and-shift); biases, activations and pooling are
/// not counted. With this rule torchvision's ResNet-18 features at 224×224 cost 1.816 G MACs (convs 1.814 G, + 0.5 M for the fc) —
/// the 1.82 GMac that fvcore and ptflops report.</summary>
public static class ResourceCounts
{
    /// <summary>Traces <paramref name="module"/> (evaluation mode, no gradients) on one zero image of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public static ResourceCount Measure<TOutput>(nn.Module<Tensor, TOutput> module, int height = 224, int width = 224, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        var layers = new List<LayerResources>();
        var removers = new List<Action>();
        bool wasTraining = module.training;
        try
        {
            // named_modules() leaves out the module itself: a lone layer is measured too.
            foreach (var (name, child) in module.named_modules().Prepend((module.GetName(), module)))
            {
                if (child is not (Conv2d or Linear or BatchNorm2d or ScalarSafeBatchNorm2d)) continue;
                var layer = (nn.Module<Tensor, Tensor>)child;
                string path = name;
                var remover = layer.register_forward_hook((m, input, output) =>
                {
                    layers.Add(Count(path, m, input, output));
                    return output;
                });
                removers.Add(() => remover.remove());
            }
            module.eval();
            using var scope = NewDisposeScope();
            using (no_grad())
                module.call(zeros(1, 3, height, width, device: device ?? CPU));
        }
        finally
        {
            foreach (var remove in removers) remove();
            if (wasTraining) module.train();
        }
        long parameters = module.parameters().Sum(p => p.numel());
        return new ResourceCount(height, width, parameters, layers.Sum(l => l.MultiplyAccumulates), layers);
    }

    /// <summary>One row per model: name, parameters (millions), G MACs, input size — the papers' resource columns.</summary>
    public static DataFrame Table(IEnumerable<(string Model, ResourceCount Count)> models)
    {
        var rows = models.ToArray();
        return new DataFrame(
            new StringDataFrameColumn("Model", rows.Select(r => r.Model)),
            new PrimitiveDataFrameColumn<double>("Parameters (M)", rows.Select(r => Math.Round(r.Count.MillionParameters, 3))),
            new PrimitiveDataFrameColumn<double>("GMACs", rows.Select(r => Math.Round(r.Count.GigaMacs, 3))),
            new StringDataFrameColumn("Input", rows.Select(r => $"{r.Count.Height}×{r.Count.Width}")));
    }

    /// <summary>Bars of G MACs per model, labelled with the parameter count.</summary>
    public static GenericChart Chart(IEnumerable<(string Model, ResourceCount Count)> models)
    {
        var rows = models.ToArray();
        if (rows.Length == 0) throw new ArgumentException("No models to chart.", nameof(models));
        var chart = Plotly.NET.CSharp.Chart.Column<double, string, string>(
                rows.Select(r => r.Count.GigaMacs),
                Keys: rows.Select(r => r.Model).ToList(),
                MultiText: rows.Select(r => $"{r.Count.MillionParameters:0.##} M params").ToList(),
                ShowLegend: false)
            .WithXAxisStyle<double, double, string>(TitleText: "backbone")
            .WithYAxisStyle<double, double, string>(TitleText: $"G multiply-accumulates at {rows[0].Count.Height}×{rows[0].Count.Width}")
            .WithSize(Math.Clamp(200 + 90 * rows.Length, 700, 1300), 450);
        return Plotly.NET.Chart.withTitle("Cost per image (bars) and parameters (labels)", FSharpOption<Font>.None).Invoke(chart);
    }

    /// <summary>Counts a built multi-task network (backbone, architecture and every head) at <paramref name="height"/>×<paramref name="width"/>.</summary>
    public static ResourceCount Measure(MultiTaskModel model, int height, int width) =>
        Measure(model.Network, height, width, model.Device);

    private static LayerResources Count(string path, nn.Module module, Tensor input, Tensor output)
    {
        long outputs = output.numel() / Math.Max(1, output.shape[0]);
        long parameters = module.parameters(recurse: false).Sum(p => p.numel());
        return module switch
        {
            Conv2d conv => new LayerResources(path, "Conv2d", output.shape.ToArray(), parameters,
                outputs * (conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3])),
            Linear linear => new LayerResources(path, "Linear", output.shape.ToArray(), parameters, outputs * linear.weight!.shape[1]),
            _ => new LayerResources(path, "BatchNorm2d", output.shape.ToArray(), parameters, outputs),
        };
    }
}
