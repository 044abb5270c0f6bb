using MtlNotebooks.Analysis;
using Plotly.NET;

namespace MtlNotebooks.Tests.Analysis;

public sealed class PointLabelsTests
{
    [Fact]
    public void LabelsGoAbove_UnlessThePlotEdgeWouldCutThem()
    {
        // plotly clips scatter text at the axes: the highest point sits 6 % of the range below the top (17 px of the 320 px
        // plot), too little for a 15 px label 8 px above its point, so that one label goes below.
        var places = PointLabels.Places([0, 5, 10], [0, 5, 10], ["a", "b", "c"], 900, 500);

        Assert.Equal([StyleParam.TextPosition.TopCenter, StyleParam.TextPosition.TopCenter, StyleParam.TextPosition.BottomCenter], places);
    }

    [Fact]
    public void TwoPointsAtOnePlace_GetLabelsThatDoNotCoverEachOther()
    {
        // Notebook 11's case: single task and cross-stitch land on the same spot in the middle of the plot.
        var places = PointLabels.Places([0, 1, 1, 2], [0, 1, 1, 2], ["x", "single task", "cross-stitch", "y"], 900, 500);

        Assert.Equal(StyleParam.TextPosition.TopCenter, places[1]);
        Assert.Equal(StyleParam.TextPosition.BottomCenter, places[2]);
    }

    [Fact]
    public void EightPointsAtOnePlace_UseAllEightPlaces()
    {
        var x = new double[] { 0, 10 }.Concat(Enumerable.Repeat(5.0, 8)).ToList();
        var labels = new[] { "-", "+" }.Concat("abcdefgh".Select(c => c.ToString())).ToList();

        var places = PointLabels.Places(x, x, labels, 900, 500);

        Assert.Equal(8, places.Skip(2).Distinct().Count());
    }

    [Fact]
    public void ALongLabelAtTheTopRightCorner_IsWrittenToItsLeft()
    {
        // Above is cut by the top, above and to the right by the right edge too: the label goes left, level with its point.
        var places = PointLabels.Places([0, 100], [0, 100], ["a", "a rather long strategy name"], 600, 400);

        Assert.Equal(StyleParam.TextPosition.MiddleLeft, places[1]);
    }

    [Fact]
    public void CountsThatDoNotMatch_AreNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => PointLabels.Places([0, 1], [0], ["a", "b"], 900, 500));

        Assert.Equal("Point labels need one x, one y and one label per point; got 2 x, 1 y and 2 labels.", error.Message);
    }
}
