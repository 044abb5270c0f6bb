using Plotly.NET;

namespace MtlNotebooks.Analysis;

/// <summary>Where each point's label goes in a labelled scatter plot, so that labels cover neither one another nor other
/// points ("single task" written over "cross-stitch" when two models land close). plotly.js places text labels but never
/// moves them apart, so the places are chosen here: in point order, each label takes the first of eight places around its
/// point (above first) whose box, estimated in pixels from the chart's size and the data's range, stays inside the plot
/// and clear of the boxes already placed and of every marker; when none is clear, the place that overlaps least.</summary>
public static class PointLabels
{
    /// <summary>Estimated size of a label's character and line at Plotly's default 12 px font, and a marker's radius, in pixels.</summary>
    private const double CharWidth = 7, LineHeight = 15, Marker = 5, Gap = 3;

    /// <summary>Plotly's default margins around the plot area (left/right 80, top 100, bottom 80) and its autorange padding.</summary>
    private const double MarginX = 160, MarginY = 180, Padding = 0.06;

    /// <summary>The eight places in the order tried, each with where the label sits: −1 left/above, 0 centred, 1 right/below.</summary>
    private static readonly (StyleParam.TextPosition Place, int Across, int Down)[] Candidates =
    [
        (StyleParam.TextPosition.TopCenter, 0, -1), (StyleParam.TextPosition.BottomCenter, 0, 1), (StyleParam.TextPosition.MiddleRight, 1, 0),
        (StyleParam.TextPosition.MiddleLeft, -1, 0), (StyleParam.TextPosition.TopRight, 1, -1), (StyleParam.TextPosition.TopLeft, -1, -1),
        (StyleParam.TextPosition.BottomRight, 1, 1), (StyleParam.TextPosition.BottomLeft, -1, 1),
    ];

    /// <summary>One place per point for labels <paramref name="labels"/> at (<paramref name="x"/>, <paramref name="y"/>) on a
    /// chart of <paramref name="width"/> × <paramref name="height"/> pixels (one panel's share of a grid).</summary>
    public static IReadOnlyList<StyleParam.TextPosition> Places(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<string> labels,
        double width, double height)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(labels);
        if (x.Count != y.Count || x.Count != labels.Count)
            throw new ArgumentException($"Point labels need one x, one y and one label per point; got {x.Count} x, {y.Count} y and {labels.Count} labels.");
        var plotWidth = Math.Max(width - MarginX, 100);
        var plotHeight = Math.Max(height - MarginY, 100);
        var px = Pixels(x, plotWidth, flip: false);
        var py = Pixels(y, plotHeight, flip: true);
        var markers = px.Zip(py, (a, b) => new Box(a - Marker, b - Marker, a + Marker, b + Marker)).ToList();
        var placed = new List<Box>();
        var result = new List<StyleParam.TextPosition>();
        for (var i = 0; i < x.Count; i++)
        {
            var (w, h) = (Math.Max(1, labels[i].Length) * CharWidth, LineHeight);
            var best = Candidates.Select(c => (place: c.Place, box: LabelBox(c.Across, c.Down, px[i], py[i], w, h)))
                .Select(c => (c.place, c.box, cost: Cost(c.box, i, placed, markers, plotWidth, plotHeight)))
                .Aggregate((a, b) => b.cost < a.cost ? b : a);   // the first of the cheapest: above when above is clear
            placed.Add(best.box);
            result.Add(best.place);
        }
        return result;
    }

    private readonly record struct Box(double Left, double Top, double Right, double Bottom)
    {
        public double Overlap(Box o) =>
            Math.Max(0, Math.Min(Right, o.Right) - Math.Max(Left, o.Left)) * Math.Max(0, Math.Min(Bottom, o.Bottom) - Math.Max(Top, o.Top));
        public double Area => (Right - Left) * (Bottom - Top);
    }

    /// <summary>Data values as pixels across the plot area, padded as plotly's autorange pads (y grows downward on screen).</summary>
    private static double[] Pixels(IReadOnlyList<double> values, double size, bool flip)
    {
        var finite = values.Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        var (min, max) = (finite.Min(), finite.Max());
        var span = max > min ? max - min : 1;
        (min, max) = (min - Padding * span, max + Padding * span);
        return [.. values.Select(v => double.IsFinite(v) ? (v - min) / (max - min) * size : 0).Select(p => flip ? size - p : p)];
    }

    private static Box LabelBox(int across, int down, double x, double y, double w, double h)
    {
        var left = across switch { 0 => x - w / 2, > 0 => x + Marker + Gap, _ => x - Marker - Gap - w };
        var top = down switch { 0 => y - h / 2, > 0 => y + Marker + Gap, _ => y - Marker - Gap - h };
        return new Box(left, top, left + w, top + h);
    }

    /// <summary>Pixels of the label covering other labels or markers, plus those outside the plot (weighted: a cut label is unreadable).</summary>
    private static double Cost(Box box, int self, List<Box> placed, List<Box> markers, double width, double height)
    {
        var inside = new Box(0, 0, width, height).Overlap(box);
        var cost = 2 * (box.Area - inside);
        cost += placed.Sum(box.Overlap);
        cost += markers.Where((_, j) => j != self).Sum(box.Overlap);
        return cost;
    }
}
