using Microsoft.Data.Analysis;
using Microsoft.DotNet.Interactive.Formatting;
using MtlNotebooks.Analysis;
using Plotly.NET;
using static TorchSharp.torch;

namespace MtlNotebooks.Interactive;

/// <summary>Registers the notebook formatters of the library's types with Microsoft.DotNet.Interactive.Formatting, so
/// they render the same in a .NET Interactive kernel (the package's extension.dib calls <see cref="Register"/>) and in
/// the headless runner: Plotly charts → text/html (a div plus Plotly.newPlot), DataFrames → text/html tables,
/// tensors → shape/dtype/values as text, <see cref="PngImage"/> → image/png, <see cref="BuildPlan"/> → its table,
/// sequences of records and anonymous objects → tables (<see cref="ObjectFormatters"/>), <see cref="Banner"/> → a boxed notice.</summary>
public static class MtlFormatters
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Registers the formatters once per process; later calls do nothing.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
                return;
            RegisterCore();
            _registered = true;
        }
    }

    private static void RegisterCore()
    {
        Formatter.Register<GenericChart>(ChartHtml.Render, HtmlFormatter.MimeType);
        Formatter.Register<GenericChart>(ChartPlainText, PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);

        Formatter.Register<DataFrame>(t => DataFrameHtml.Table(t, MaxRows), HtmlFormatter.MimeType);
        Formatter.Register<DataFrame>(DeltaM.ToText, PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(DataFrame), HtmlFormatter.MimeType);

        Formatter.Register<Tensor>(TensorText.Format, PlainTextFormatter.MimeType);
        Formatter.Register<Tensor>(t => Pre(TensorText.Format(t)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Tensor), PlainTextFormatter.MimeType);

        Formatter.Register<PngImage>(p => p.ToBase64(), PngMimeType);
        Formatter.Register<PngImage>(p => p.ToString(), PlainTextFormatter.MimeType);
        Formatter.Register<PngImage>(ImageHtml, HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(PngImage), PngMimeType);

        Formatter.Register<BuildPlan>(p => p.ToString(), PlainTextFormatter.MimeType);
        Formatter.Register<BuildPlan>(p => Pre(p.ToString()), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(BuildPlan), PlainTextFormatter.MimeType);

        ObjectFormatters.Register(MaxRows);

        Formatter.Register<Banner>(b => b.ToString(), PlainTextFormatter.MimeType);
        Formatter.Register<Banner>(BannerHtml, HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Banner), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);

        Formatter.Register<MultiTaskModel>(m => m.ToString(), PlainTextFormatter.MimeType);
        Formatter.Register<MultiTaskModel>(m => Pre(m.ToString()), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(MultiTaskModel), PlainTextFormatter.MimeType);
    }

    public const string PngMimeType = "image/png";

    private static string ChartPlainText(GenericChart chart) => $"Plotly chart ({GenericChart.getTraces(chart).Length} traces)";

    private static string Pre(string text) => $"<pre>{HtmlText.Encode(text)}</pre>";

    private static string BannerHtml(Banner banner) =>
        "<div style=\"border-left: 4px solid #d9a400; background: #fff8e1; padding: 0.5em 0.8em; margin: 0.3em 0\">" +
        $"<b>{HtmlText.Encode(banner.Title)}</b>: {HtmlText.Encode(banner.Text)}</div>";

    private static string ImageHtml(PngImage image)
    {
        var alt = HtmlText.Encode(image.Caption ?? image.ToString());
        var img = $"<img src=\"data:image/png;base64,{image.ToBase64()}\" width=\"{image.Width}\" height=\"{image.Height}\" alt=\"{alt}\" style=\"image-rendering: pixelated\">";
        return image.Caption is null ? img : $"<figure>{img}<figcaption>{alt}</figcaption></figure>";
    }

    /// <summary>Long DataFrames show their first <see cref="MaxRows"/> rows.</summary>
    public const int MaxRows = 50;
}
