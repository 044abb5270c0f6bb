using MtlNotebooks.Data;

namespace MtlNotebooks.Tests.Data;

/// <summary>A class map's out-of-range message names the values that may be stored, after the manifest's offset.</summary>
public sealed class LabelRangeTests
{
    private static ManifestTask Task(bool zeroIsIgnore, int offset) =>
        new("semseg", ["labels"], "{id}.png", "png-classes", "class index", Classes: 40, ZeroIsIgnore: zeroIsIgnore, Offset: offset);

    [Theory]
    [InlineData(true, -1, "stored values 1..40, 0 = ignore")]      // NYUD: 1..40 are the classes, 0 is unlabelled
    [InlineData(false, 0, "stored values 0..39, 255 = ignore")]    // PASCAL-style: 255 is the ignore index
    [InlineData(true, 0, "stored values 1..39, 0 and 255 = ignore")]
    public void StoredRange_FollowsOffsetAndIgnore(bool zeroIsIgnore, int offset, string expected) =>
        Assert.Equal(expected, LabelDecoder.StoredRange(Task(zeroIsIgnore, offset), 40));
}
