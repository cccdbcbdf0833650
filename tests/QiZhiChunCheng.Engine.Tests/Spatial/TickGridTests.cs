using QiZhiChunCheng.Engine.Spatial;

namespace QiZhiChunCheng.Engine.Tests.Spatial;

public sealed class TickGridTests
{
    private readonly struct Points(double[] x, double[] y) : TickGrid.IPositions
    {
        public double X(int i) => x[i];

        public double Y(int i) => y[i];
    }

    [Theory]
    [InlineData(-500, 0)] // west of every point: the column range ends before the first column
    [InlineData(500, 0)]
    [InlineData(0, -500)]
    [InlineData(0, 500)]
    public void A_query_wholly_outside_the_points_finds_nothing(double x, double y)
    {
        // Found by a generated scenario: an RSI hazard west of the only vehicle on the road indexed before the grid.
        TickGrid grid = new(4);
        grid.Build(2, new Points([0, 10], [0, 5]));

        Assert.Equal(0, grid.QueryRadius(x, y, 20, new int[4]));
        Assert.Equal(2, grid.QueryRadius(5, 2, 20, new int[4]));
    }
}
