using Microsoft.Data.Analysis;
using MtlNotebooks.Analysis;

namespace MtlNotebooks.Tests.Analysis;

public sealed class ObjectFramesTests
{
    private sealed record Run(string Name, double DeltaM, int Seeds);

    private class Base
    {
        public int Value => 1;
    }

    private sealed class Hiding : Base
    {
        public new string Value => "hidden";
        public string Broken => throw new InvalidOperationException("boom");
    }

    private sealed class Named(string name)
    {
        public string Name { get; } = name;
        public override string ToString() => $"named {Name}";
    }

    [Fact]
    public void ToDataFrame_AnonymousObjects_OneTypedColumnPerProperty()
    {
        var frame = Enumerable.Range(1, 3).Select(i => new { Name = $"run{i}", Seconds = i * 1.5, Steps = i * 10, Done = i > 1 }).ToDataFrame();

        Assert.Equal(["Name", "Seconds", "Steps", "Done"], frame.Columns.Select(c => c.Name));
        Assert.IsType<StringDataFrameColumn>(frame.Columns["Name"]);
        Assert.IsType<DoubleDataFrameColumn>(frame.Columns["Seconds"]);
        Assert.IsType<Int64DataFrameColumn>(frame.Columns["Steps"]);
        Assert.Equal(3, frame.Rows.Count);
        Assert.Equal(4.5, (double)frame.Columns["Seconds"][2]!);
        Assert.Equal(20L, (long)frame.Columns["Steps"][1]!);
        Assert.Equal("True", frame.Columns["Done"][2]);
    }

    [Fact]
    public void ToDataFrame_RecordsTuplesAndDictionaries_ShowTheirMembers()
    {
        var records = new[] { new Run("hard sharing", -1.25, 3), new Run("mti-net", 4.5, 3) }.ToDataFrame();
        Assert.Equal(["Name", "DeltaM", "Seeds"], records.Columns.Select(c => c.Name));   // not the compiler's EqualityContract

        var tuples = new[] { (1, "a"), (2, "b") }.ToDataFrame();
        Assert.Equal(["Item1", "Item2"], tuples.Columns.Select(c => c.Name));

        var entries = new Dictionary<string, double> { ["mIoU"] = 52.5, ["rmse"] = 0.61 }.ToDataFrame();
        Assert.Equal(["Key", "Value"], entries.Columns.Select(c => c.Name));
        Assert.Equal(0.61, (double)entries.Columns["Value"][1]!);
    }

    [Fact]
    public void ToDataFrame_NullRowsAndValues_AreEmptyCells()
    {
        var frame = new[] { new Run("a", 1.0, 1), null, new Run(null!, 2.0, 2) }.ToDataFrame();

        Assert.Equal(3, frame.Rows.Count);
        Assert.Null(frame.Columns["DeltaM"][1]);
        Assert.Equal("", frame.Columns["Name"][2]);
    }

    [Fact]
    public void ToDataFrame_NumbersTextOrMixedTypes_AreRefusedNamingWhy()
    {
        Assert.Contains("items of type Int32", Assert.Throws<ArgumentException>(() => new[] { 1, 2 }.ToDataFrame()).Message);
        Assert.Contains("items of 2 types (Run, Named)",
            Assert.Throws<ArgumentException>(() => new object[] { new Run("a", 1, 1), new Named("b") }.ToDataFrame()).Message);
        Assert.Contains("no items", Assert.Throws<ArgumentException>(() => Array.Empty<Run>().ToDataFrame()).Message);
    }

    [Fact]
    public void Properties_OneObject_IsAPropertyValueTable()
    {
        var frame = ObjectFrames.Properties(new { Architecture = "mti-net", Parameters = 12_345_678L, DeltaM = -3.99 });

        Assert.Equal([ObjectFrames.PropertyColumn, ObjectFrames.ValueColumn], frame.Columns.Select(c => c.Name));
        Assert.Equal(["Architecture", "Parameters", "DeltaM"], frame.Columns[0].Cast<string>());
        Assert.Equal(["mti-net", "12,345,678", "-3.99"], frame.Columns[1].Cast<string>());
    }

    [Theory]
    [InlineData(1234567L, "1,234,567")]
    [InlineData(1342.1, "1,342")]
    [InlineData(52.3456, "52.35")]
    [InlineData(0.00123, "0.00123")]
    [InlineData(0.0012345, "0.001234")]
    [InlineData(0.1f, "0.1")]
    [InlineData(double.NaN, "NaN")]
    [InlineData("text", "text")]
    public void CellText_Numbers_FourSignificantDigitsWithThousandsSeparators(object value, string expected) =>
        Assert.Equal(expected, ObjectFrames.CellText(value));

    [Fact]
    public void CellText_SequencesTimesAndObjects_ReadAsText()
    {
        Assert.Equal("[1.5, 2, a]", ObjectFrames.CellText(new object[] { 1.5, 2, "a" }));
        Assert.Equal("[0, 1, 2, 3, 4, 5, 6, 7, …]", ObjectFrames.CellText(Enumerable.Range(0, 20)));
        Assert.Equal("1:23.5", ObjectFrames.CellText(TimeSpan.FromSeconds(83.5)));
        Assert.Equal("2:00:05", ObjectFrames.CellText(TimeSpan.FromSeconds(7205)));
        Assert.Equal("named x", ObjectFrames.CellText(new Named("x")));
        Assert.Equal("Run { Name = a, DeltaM = 1, Seeds = 2 }", ObjectFrames.CellText(new Run("a", 1, 2)));
    }

    [Fact]
    public void IsTabular_RecordsAnonymousAndPropertyBags_NotNumbersTextSequencesOrOwnText()
    {
        Assert.True(ObjectFrames.IsTabular(typeof(Run)));
        Assert.True(ObjectFrames.IsTabular(new { A = 1 }.GetType()));
        Assert.True(ObjectFrames.IsTabular(typeof((int, string))));
        Assert.True(ObjectFrames.IsTabular(typeof(KeyValuePair<string, double>)));
        Assert.False(ObjectFrames.IsTabular(typeof(Named)));          // chooses its own text
        Assert.False(ObjectFrames.IsTabular(typeof(int)));
        Assert.False(ObjectFrames.IsTabular(typeof(string)));
        Assert.False(ObjectFrames.IsTabular(typeof(List<Run>)));
        Assert.False(ObjectFrames.IsTabular(typeof(TimeSpan)));
        Assert.False(ObjectFrames.IsTabular(typeof(InvalidOperationException)));
    }

    [Fact]
    public void ToText_LongTables_SayHowManyRowsAreShown()
    {
        var text = DeltaM.ToText(Enumerable.Range(0, 5).Select(i => new { I = i }).ToDataFrame(), maxRows: 2);

        Assert.Equal("I\n-\n0\n1\n(2 of 5 rows shown)\n", text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void TableCells_FourSignificantDigits_NoMoreDecimalsThanTheValueHas()
    {
        var paper = new DoubleDataFrameColumn("PaperDeltaM", [0, 0.41, -0.23, 1.45, 0.02]);
        Assert.Equal(["0", "0.41", "-0.23", "1.45", "0.02"], TableCells.Format(paper, 5));
        var seconds = new DoubleDataFrameColumn("Seconds", [0.6, 1342.1, 12.7, 1.0 / 3]);
        Assert.Equal(["0.6", "1,342", "12.7", "0.3333"], TableCells.Format(seconds, 4));
        Assert.Equal(["0.1", "2.5"], TableCells.Format(new SingleDataFrameColumn("f", [0.1f, 2.5f]), 2));
        var mixed = new DoubleDataFrameColumn("x", [1e-7, 5e9, double.NaN, null]);
        Assert.Equal(["1E-7", "5E+9", "NaN", ""], TableCells.Format(mixed, 4));
        Assert.Equal(["+1.23", "-0.50"], TableCells.Format(new DoubleDataFrameColumn(DeltaM.DeltaMColumn, [1.234, -0.5]), 2));
    }

    [Fact]
    public void ToDataFrame_HiddenAndThrowingProperties_OneColumnEachErrorsInTheirCells()
    {
        var frame = new[] { new Hiding() }.ToDataFrame();

        Assert.Equal(["Value", "Broken"], frame.Columns.Select(c => c.Name));
        Assert.Equal("hidden", frame.Columns["Value"][0]);
        Assert.Equal("(InvalidOperationException: boom)", frame.Columns["Broken"][0]);
    }

    [Fact]
    public void ToDataFrame_FloatsStayFloats_NestingAndLongTimesReadAsText()
    {
        var frame = new[] { new { F = 0.1f, T = TimeSpan.FromHours(25.5), Nested = new[] { new[] { new[] { 1 } } } } }.ToDataFrame();

        Assert.IsType<SingleDataFrameColumn>(frame.Columns["F"]);
        Assert.Equal(["0.1"], TableCells.Format(frame.Columns["F"], 1));
        Assert.Equal("25:30:00", frame.Columns["T"][0]);
        Assert.Equal("[[[…]]]", frame.Columns["Nested"][0]);
        Assert.Equal("0.0001235", TableCells.Number(0.00012345678));   // four significant digits below 1 too
    }
}
