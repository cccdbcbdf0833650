using QiZhiChunCheng.Engine.Spatial;

namespace QiZhiChunCheng.Engine.Tests.Spatial;

public sealed class MovingObjectIndexTests
{
    private const int Capacity = 4000;

    public enum Scene
    {
        /// <summary>Uniform over 2 km x 2 km around the origin.</summary>
        Uniform,

        /// <summary>Most objects within 15 m of a few straight roads, the rest scattered.</summary>
        Roads,

        /// <summary>A 600 m patch thousands of kilometres south-west of the origin: negative, large coordinates.</summary>
        FarNegative,

        /// <summary>A local cluster plus objects at ±1e12 m, beyond the grid's clamp of 2^30 cells.</summary>
        BeyondClamp,
    }

    public static TheoryData<int, Scene, double, int> Scenes => new()
    {
        { 1, Scene.Uniform, 25, 0 },
        { 2, Scene.Roads, 25, 0 },
        { 3, Scene.FarNegative, 25, 0 },
        { 4, Scene.BeyondClamp, 25, 0 },
        // Sixteen buckets for thousands of cells: every bucket is shared, so queries meet other cells' entries and
        // visit the same bucket for several cells of one query.
        { 5, Scene.Roads, 25, 16 },
        { 6, Scene.Uniform, 7.5, 16 },
        { 7, Scene.FarNegative, 100, 0 },
    };

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Queries_match_brute_force_after_random_upserts_moves_and_removes(int seed, Scene scene, double cellSizeM, int bucketCount)
    {
        Random random = new(seed);
        MovingObjectIndex index = new(Capacity, cellSizeM, bucketCount);
        Reference reference = new(Capacity);

        for (int h = 0; h < 3000; h++)
        {
            (double x, double y) = Position(random, scene);
            index.Upsert(h, x, y);
            reference.Upsert(h, x, y);
        }

        CheckQueries(index, reference, random, scene, cellSizeM);

        for (int round = 0; round < 4; round++)
        {
            for (int op = 0; op < 3000; op++)
            {
                int h = random.Next(Capacity);
                double roll = random.NextDouble();
                if (roll < 0.35)
                {
                    (double x, double y) = Position(random, scene);
                    index.Upsert(h, x, y);
                    reference.Upsert(h, x, y);
                }
                else if (roll < 0.85 && reference.Present[h])
                {
                    // Small moves mostly stay in the cell (a vehicle at 10 Hz); larger ones cross cells.
                    double step = roll < 0.65 ? 3 : 120;
                    double x = reference.X[h] + ((random.NextDouble() - 0.5) * step);
                    double y = reference.Y[h] + ((random.NextDouble() - 0.5) * step);
                    index.Upsert(h, x, y);
                    reference.Upsert(h, x, y);
                }
                else
                {
                    Assert.Equal(reference.Present[h], index.Remove(h));
                    reference.Present[h] = false;
                }
            }

            Assert.Equal(reference.Count, index.Count);
            CheckQueries(index, reference, random, scene, cellSizeM);
        }
    }

    [Fact]
    public void Objects_exactly_on_the_radius_are_found_and_those_just_outside_are_not()
    {
        // The centre sits on a cell corner at negative coordinates; every offset below is exact in binary, so the
        // distances are exactly 50 m (3-4-5 triangles and axis offsets) or a hair more.
        const double Cx = -100;
        const double Cy = -75;
        MovingObjectIndex index = new(16);
        (double Dx, double Dy)[] onCircle = [(30, 40), (-30, -40), (50, 0), (0, -50), (-40, 30), (0, 50)];
        for (int i = 0; i < onCircle.Length; i++)
        {
            index.Upsert(i, Cx + onCircle[i].Dx, Cy + onCircle[i].Dy);
        }

        index.Upsert(10, Cx + 50.000001, Cy);
        index.Upsert(11, Cx - 30, Cy + 40.0001);
        index.Upsert(12, Cx, Cy); // the centre itself, distance 0

        Span<int> results = stackalloc int[16];
        int found = index.QueryRadius(Cx, Cy, 50, results);
        Assert.Equal([0, 1, 2, 3, 4, 5, 12], Sorted(results[..found]));

        Span<int> handles = stackalloc int[16];
        Span<double> distances = stackalloc double[16];
        int nearest = index.QueryNearest(Cx, Cy, 16, handles, distances, maxRadiusM: 50);
        Assert.Equal([12, 0, 1, 2, 3, 4, 5], handles[..nearest].ToArray()); // ties at 50 m break on the handle
        Assert.Equal([0, 50, 50, 50, 50, 50, 50], distances[..nearest].ToArray());

        Assert.Equal(1, index.QueryRadius(Cx, Cy, 0, results));
        Assert.Equal(12, results[0]);
    }

    [Fact]
    public void An_object_rounding_onto_the_circle_from_the_next_cell_is_found()
    {
        // Handle 0 sits 1e-300 m west of the cell edge at x = 0, so in cell -1; seen from (30, 12.5) its distance
        // rounds to exactly 30 m and the distance test accepts it, while 30 - 30 = 0 names only cell 0 and up, and
        // after the first ring of cells the nearest unvisited edge is exactly 30 m away. The slack on query extents
        // and the strict stop test are what bring cell -1 in. Handle 1, on the edge itself, ties with it at 30 m.
        MovingObjectIndex index = new(128, cellSizeM: 25);
        index.Upsert(0, -1e-300, 12.5);
        index.Upsert(1, 0, 12.5);
        for (int h = 2; h < 128; h++)
        {
            index.Upsert(h, 10_000 + h, 10_000); // far away, so the queries walk the grid, not the live list
        }

        Span<int> results = stackalloc int[4];
        Assert.Equal([0, 1], Sorted(results[..index.QueryRadius(30, 12.5, 30, results)]));

        Span<int> handles = stackalloc int[1];
        Span<double> distances = stackalloc double[1];
        Assert.Equal(1, index.QueryNearest(30, 12.5, 1, handles, distances));
        Assert.Equal(0, handles[0]);
        Assert.Equal(30, distances[0]);
    }

    [Fact]
    public void A_span_too_small_gets_what_fits_and_the_total_so_the_caller_can_retry()
    {
        MovingObjectIndex index = new(100);
        for (int h = 0; h < 20; h++)
        {
            index.Upsert(h, h * 2.0, -h * 1.5); // all within 50 m of the origin
        }

        index.Upsert(50, 500, 500);

        Span<int> small = stackalloc int[5];
        small.Fill(-1);
        int total = index.QueryRadius(0, 0, 60, small);
        Assert.Equal(20, total);
        Assert.Equal(5, Sorted(small).Distinct().Count());
        Assert.All(small.ToArray(), h => Assert.InRange(h, 0, 19));

        Assert.Equal(20, index.QueryRadius(0, 0, 60, []));

        Span<int> retry = stackalloc int[total];
        Assert.Equal(20, index.QueryRadius(0, 0, 60, retry));
        Assert.Equal(Enumerable.Range(0, 20).ToArray(), Sorted(retry));
    }

    [Fact]
    public void Nearest_with_k_above_the_count_returns_every_object_sorted()
    {
        MovingObjectIndex index = new(10);
        index.Upsert(7, 10, 0);
        index.Upsert(2, 0, -3);
        index.Upsert(9, -2000, 0); // far enough that the rings give way to the linear scan

        int[] handles = new int[50];
        double[] distances = new double[50];
        int count = index.QueryNearest(0, 0, 50, handles, distances);

        Assert.Equal(3, count);
        Assert.Equal([2, 7, 9], handles[..3]);
        Assert.Equal([3, 10, 2000], distances[..3]);
    }

    [Fact]
    public void An_empty_index_finds_nothing()
    {
        MovingObjectIndex index = new(8);
        int[] handles = new int[8];
        double[] distances = new double[8];

        Assert.Equal(0, index.QueryRadius(0, 0, 1e6, handles));
        Assert.Equal(0, index.QueryNearest(0, 0, 8, handles, distances));
        Assert.Equal(0, index.Count);
        Assert.False(index.Remove(3));
        Assert.False(index.Contains(3));
        Assert.False(index.TryGetPosition(3, out _, out _));
    }

    [Fact]
    public void Clear_and_removing_everything_leave_an_empty_index_that_can_be_reused()
    {
        MovingObjectIndex index = new(64, bucketCount: 16);
        for (int h = 0; h < 64; h++)
        {
            index.Upsert(h, h * 7.0, h * -3.0);
        }

        index.Clear();
        int[] results = new int[64];
        Assert.Equal(0, index.Count);
        Assert.Equal(0, index.QueryRadius(0, 0, 1e6, results));
        Assert.False(index.Contains(5));

        index.Upsert(5, 1, 1);
        index.Upsert(6, 1, 2);
        Assert.Equal(2, index.QueryRadius(0, 0, 10, results));
        Assert.True(index.Remove(5));
        Assert.True(index.Remove(6));
        Assert.False(index.Remove(6));
        Assert.Equal(0, index.QueryRadius(0, 0, 1e6, results));
    }

    [Fact]
    public void Updates_inside_a_cell_and_across_cells_move_the_object()
    {
        MovingObjectIndex index = new(4, cellSizeM: 25);
        int[] results = new int[4];
        index.Upsert(1, 1, 1);
        index.Upsert(1, 24, 24); // same cell
        Assert.True(index.TryGetPosition(1, out double x, out double y));
        Assert.Equal((24.0, 24.0), (x, y));
        Assert.Equal(0, index.QueryRadius(1, 1, 5, results));
        Assert.Equal(1, index.QueryRadius(24, 24, 0, results));

        index.Upsert(1, -26, 24); // two cells west
        Assert.Equal(0, index.QueryRadius(24, 24, 5, results));
        Assert.Equal(1, index.QueryRadius(-26, 24, 0, results));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Misuse_throws_the_standard_argument_exceptions()
    {
        MovingObjectIndex index = new(4);
        int[] handles = new int[4];
        double[] distances = new double[4];

        Assert.Throws<ArgumentOutOfRangeException>(() => index.Upsert(4, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Upsert(-1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Upsert(0, double.NaN, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Upsert(0, 0, double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Remove(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.QueryRadius(0, 0, -1, handles));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.QueryRadius(0, 0, double.NaN, handles));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.QueryNearest(0, 0, -1, handles, distances));
        Assert.Throws<ArgumentException>(() => index.QueryNearest(0, 0, 5, handles, distances));
        Assert.Throws<ArgumentException>(() => index.QueryNearest(0, 0, 4, handles, new double[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MovingObjectIndex(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MovingObjectIndex(4, cellSizeM: 0));
    }

    private static void CheckQueries(MovingObjectIndex index, Reference reference, Random random, Scene scene, double cellSizeM)
    {
        double[] radii = [0, 1, cellSizeM, 2 * cellSizeM, 37.5, 50, 100, 250, 1e4, 1e13];
        int[] ks = [1, 3, 8, 50, Capacity];
        double[] maxRadii = [double.PositiveInfinity, 50, 0, 1e13];
        int[] results = new int[Capacity];
        int[] handles = new int[Capacity];
        double[] distances = new double[Capacity];

        for (int q = 0; q < 60; q++)
        {
            (double x, double y) = QueryPoint(random, scene, reference, cellSizeM);
            double radius = q % 3 == 0 ? random.NextDouble() * 300 : radii[random.Next(radii.Length)];
            int found = index.QueryRadius(x, y, radius, results);
            int[] expected = reference.Radius(x, y, radius);
            Assert.Equal(expected.Length, found);
            Assert.Equal(expected, Sorted(results.AsSpan(0, found)));

            int k = ks[random.Next(ks.Length)];
            double maxRadius = q % 4 == 0 ? random.NextDouble() * 200 : maxRadii[random.Next(maxRadii.Length)];
            int count = index.QueryNearest(x, y, k, handles, distances, maxRadius);
            (int[] expectedHandles, double[] expectedDistances) = reference.Nearest(x, y, k, maxRadius);
            Assert.Equal(expectedHandles, handles[..count]);
            Assert.Equal(expectedDistances, distances[..count]);
        }
    }

    private static (double X, double Y) Position(Random random, Scene scene)
    {
        switch (scene)
        {
            case Scene.Uniform:
                return (Uniform(random, -1000, 1000), Uniform(random, -1000, 1000));
            case Scene.Roads:
                double along = Uniform(random, -1000, 1000);
                double across = random.NextDouble() < 0.85 ? Uniform(random, -15, 15) : Uniform(random, -1000, 1000);
                return random.Next(3) switch
                {
                    0 => (along, 200 + across),
                    1 => (-350 + across, along),
                    _ => ((along * 0.8) - (across * 0.6), (along * 0.6) + (across * 0.8)),
                };
            case Scene.FarNegative:
                return (Uniform(random, -3_700_300, -3_699_700), Uniform(random, -2_100_300, -2_099_700));
            default:
                return random.Next(4) switch
                {
                    0 => (Uniform(random, 0.9e12, 1.1e12), Uniform(random, -100, 100)),
                    1 => (Uniform(random, -1.1e12, -0.9e12), Uniform(random, -1.1e12, -0.9e12)),
                    _ => (Uniform(random, -300, 300), Uniform(random, -300, 300)),
                };
        }
    }

    private static (double X, double Y) QueryPoint(Random random, Scene scene, Reference reference, double cellSizeM)
    {
        switch (random.Next(3))
        {
            case 0:
                return Position(random, scene);
            case 1:
                // On an object, or on the corner of its cell: a query whose extent ends exactly on cell edges.
                int h = random.Next(Capacity);
                while (!reference.Present[h])
                {
                    h = (h + 1) % Capacity;
                }

                return random.Next(2) == 0
                    ? (reference.X[h], reference.Y[h])
                    : (Math.Floor(reference.X[h] / cellSizeM) * cellSizeM, Math.Floor(reference.Y[h] / cellSizeM) * cellSizeM);
            default:
                // Far from everything: the nearest query must fall back to a scan rather than grow rings forever.
                return (Uniform(random, -5e7, 5e7), Uniform(random, -5e7, 5e7));
        }
    }

    private static double Uniform(Random random, double min, double max) => min + (random.NextDouble() * (max - min));

    private static int[] Sorted(ReadOnlySpan<int> handles)
    {
        int[] copy = handles.ToArray();
        Array.Sort(copy);
        return copy;
    }

    /// <summary>The scalar truth: every query scans every object with the index's own distance expression.</summary>
    private sealed class Reference(int capacity)
    {
        public double[] X { get; } = new double[capacity];

        public double[] Y { get; } = new double[capacity];

        public bool[] Present { get; } = new bool[capacity];

        public int Count => Present.Count(p => p);

        public void Upsert(int handle, double x, double y)
        {
            X[handle] = x;
            Y[handle] = y;
            Present[handle] = true;
        }

        public int[] Radius(double x, double y, double radius)
        {
            List<int> found = [];
            for (int h = 0; h < Present.Length; h++)
            {
                if (Present[h] && DistanceSquared(h, x, y) <= radius * radius)
                {
                    found.Add(h);
                }
            }

            return [.. found];
        }

        public (int[] Handles, double[] Distances) Nearest(double x, double y, int k, double maxRadius)
        {
            List<(double D2, int H)> candidates = [];
            for (int h = 0; h < Present.Length; h++)
            {
                double d2 = DistanceSquared(h, x, y);
                if (Present[h] && d2 <= maxRadius * maxRadius)
                {
                    candidates.Add((d2, h));
                }
            }

            candidates.Sort();
            (double D2, int H)[] best = [.. candidates.Take(k)];
            return (best.Select(c => c.H).ToArray(), best.Select(c => Math.Sqrt(c.D2)).ToArray());
        }

        private double DistanceSquared(int h, double x, double y)
        {
            double dx = X[h] - x;
            double dy = Y[h] - y;
            return (dx * dx) + (dy * dy);
        }
    }
}
