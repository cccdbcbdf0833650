using QiZhiChunCheng.Engine.Detectors;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Signals;

/// <summary>
/// Whether a track approaches an RSI item: the geometry HLW, IVS and TJW (RSI congestion) share. Stateless,
/// allocation-free, thread-safe.
/// </summary>
internal static class RsiApproach
{
    /// <summary>
    /// True when track <paramref name="t"/> approaches item <paramref name="index"/> of <paramref name="rsi"/>:
    /// <list type="bullet">
    /// <item>on one of its reference paths (within the path radius, heading within <paramref name="pathHeadingDeg"/> of
    /// the segment, first point towards last) and upstream of the item (its position projected on the path, else the
    /// path's end) by at most <paramref name="maxAheadM"/>: the distance is along the path; or</item>
    /// <item>within <paramref name="radiusM"/> of the item's position with the position ahead, within
    /// <paramref name="aheadDeg"/> of the heading: the distance is straight.</item>
    /// </list>
    /// </summary>
    public static bool Approaches(RsiState rsi, int index, in TrackState t, double radiusM, double pathHeadingDeg, double aheadDeg, double maxAheadM, out double distanceM)
    {
        ref readonly RsiItem item = ref rsi.Items[index];
        if (item.PathCount > 0
            && rsi.TryLocateOnPath(index, t.XM, t.YM, t.HeadingDeg, pathHeadingDeg, out double remaining, out _)
            && remaining >= 0 && remaining <= maxAheadM)
        {
            distanceM = remaining;
            return true;
        }

        distanceM = double.NaN;
        if (!item.HasPosition || !(radiusM > 0))
        {
            return false;
        }

        double dx = item.XM - t.XM, dy = item.YM - t.YM;
        double d = Math.Sqrt((dx * dx) + (dy * dy));
        if (d > radiusM)
        {
            return false;
        }

        (double hx, double hy) = Math.SinCos(double.DegreesToRadians(t.HeadingDeg)); // east = sin, north = cos
        if (d > 1e-3 && ((dx * hx) + (dy * hy)) / d < Math.Cos(double.DegreesToRadians(aheadDeg)))
        {
            return false; // beside or behind: passing it or moving away
        }

        distanceM = d;
        return true;
    }

    /// <summary>
    /// Indexes of the tick's tracks within <paramref name="radiusM"/> of a point, written to <paramref name="buffer"/>
    /// (grown once to the track capacity). Returns how many.
    /// </summary>
    public static int Candidates(TickContext context, ref int[] buffer, double xM, double yM, double radiusM)
    {
        if (buffer.Length < context.Writable.Length)
        {
            buffer = new int[context.Writable.Length]; // once: the track capacity
        }

        if (!double.IsFinite(xM) || !double.IsFinite(yM) || !(radiusM >= 0))
        {
            return 0;
        }

        return Math.Min(context.Grid.QueryRadius(xM, yM, radiusM, buffer), context.Count);
    }
}
