namespace QiZhiChunCheng.Engine.World;

/// <summary>
/// Optimal rectangular assignment (the Hungarian method with potentials, O(n² m)) for n rows ≤ m columns: every
/// row gets a distinct column and the total cost is minimal. Preallocated for a maximum size; allocates nothing
/// per solve; not thread-safe. Ties resolve by the fixed iteration order, so the result is deterministic.
/// </summary>
internal sealed class Assignment
{
    private readonly double[] _u;
    private readonly double[] _v;
    private readonly double[] _minv;
    private readonly int[] _p;
    private readonly int[] _way;
    private readonly bool[] _used;

    public Assignment(int maxRows, int maxColumns)
    {
        _u = new double[maxRows + 1];
        _v = new double[maxColumns + 1];
        _minv = new double[maxColumns + 1];
        _p = new int[maxColumns + 1];
        _way = new int[maxColumns + 1];
        _used = new bool[maxColumns + 1];
    }

    /// <summary>
    /// Solves the n × m problem in <paramref name="cost"/> (row-major; use a large finite value for forbidden
    /// pairs) and writes each row's column into <paramref name="rowToColumn"/>.
    /// </summary>
    public void Solve(ReadOnlySpan<double> cost, int n, int m, Span<int> rowToColumn)
    {
        double[] u = _u, v = _v, minv = _minv;
        int[] p = _p, way = _way;
        bool[] used = _used;
        Array.Clear(u, 0, n + 1);
        Array.Clear(v, 0, m + 1);
        Array.Clear(p, 0, m + 1);
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            Array.Fill(minv, double.PositiveInfinity, 0, m + 1);
            Array.Clear(used, 0, m + 1);
            do
            {
                used[j0] = true;
                int i0 = p[j0];
                double delta = double.PositiveInfinity;
                int j1 = 0;
                int row = (i0 - 1) * m;
                for (int j = 1; j <= m; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }

                    double cur = cost[row + j - 1] - u[i0] - v[j];
                    if (cur < minv[j])
                    {
                        minv[j] = cur;
                        way[j] = j0;
                    }

                    if (minv[j] < delta)
                    {
                        delta = minv[j];
                        j1 = j;
                    }
                }

                for (int j = 0; j <= m; j++)
                {
                    if (used[j])
                    {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minv[j] -= delta;
                    }
                }

                j0 = j1;
            }
            while (p[j0] != 0);

            do
            {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        for (int j = 1; j <= m; j++)
        {
            if (p[j] != 0)
            {
                rowToColumn[p[j] - 1] = j - 1;
            }
        }
    }
}
