using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Engine.Events;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Engine.Signals;
using QiZhiChunCheng.Engine.Spatial;
using QiZhiChunCheng.Engine.World;

namespace QiZhiChunCheng.Engine.Detectors;

/// <summary>
/// What a detector sees at one tick: every confirmed or coasting track predicted to the tick's event time and
/// matched to the lane map, a grid over their positions (point i is track i), the signal
/// state, the active RSI and the road surface. Owned by the engine and reused every tick; valid only during
/// <see cref="Detector.Evaluate"/>.
/// </summary>
public sealed class TickContext
{
    private readonly TrackState[] _tracks;
    private readonly int[] _scratch;

    internal TickContext(int capacity, LaneMap map, SignalState signals, RsiState rsi, SurfaceOptions surface)
    {
        _tracks = new TrackState[capacity];
        _scratch = new int[capacity];
        Grid = new TickGrid(capacity);
        Map = map;
        Signals = signals;
        Rsi = rsi;
        SurfaceOptions = surface;
        Surface = surface.Surface;
    }

    /// <summary>The engine's trust state (segment traffic levels for TJW); null when trust is off.</summary>
    public Trust.TrustMonitor? Trust { get; internal set; }

    /// <summary>The tick's event time (UTC ms).</summary>
    public long TimeUtcMs { get; internal set; }

    public LaneMap Map { get; internal set; }

    public SignalState Signals { get; }

    public RsiState Rsi { get; }

    /// <summary>The road surface now (configuration, or an RSI weather event).</summary>
    public RoadSurface Surface { get; internal set; }

    public SurfaceOptions SurfaceOptions { get; }

    /// <summary>The deceleration a vehicle can manage on the current surface (positive, m/s²).</summary>
    public double AvailableDecelMps2 => SurfaceOptions.DecelMps2(Surface);

    /// <summary>Number of tracks in <see cref="Tracks"/>.</summary>
    public int Count { get; internal set; }

    /// <summary>The tracks at this tick.</summary>
    public ReadOnlySpan<TrackState> Tracks => _tracks.AsSpan(0, Count);

    /// <summary>The most tracks a tick can hold (the fusion capacity): size per-track state arrays by it.</summary>
    public int Capacity => _tracks.Length;

    /// <summary>The positions of <see cref="Tracks"/> at this tick, rebuilt every tick; point i is track i.</summary>
    public TickGrid Grid { get; }

    /// <summary>
    /// Indexes of the tracks within <paramref name="radiusM"/> of track <paramref name="i"/>, itself excluded, in a
    /// buffer the engine owns (valid until the next call from any detector). Allocates nothing.
    /// </summary>
    public ReadOnlySpan<int> Neighbours(int i, double radiusM)
    {
        ref readonly TrackState t = ref _tracks[i];
        int n = Grid.QueryRadius(t.XM, t.YM, radiusM, _scratch);
        int w = 0;
        for (int k = 0; k < n; k++)
        {
            if (_scratch[k] != i)
            {
                _scratch[w++] = _scratch[k];
            }
        }

        return _scratch.AsSpan(0, w);
    }

    internal Span<TrackState> Writable => _tracks;

    internal void BuildGrid() => Grid.Build(Count, new TrackPositions(_tracks));

    private readonly struct TrackPositions(TrackState[] tracks) : TickGrid.IPositions
    {
        public double X(int i) => tracks[i].XM;

        public double Y(int i) => tracks[i].YM;
    }
}

/// <summary>
/// A Day-1 application's detector. Evaluated once per tick on the <see cref="TickContext"/>; it reports each
/// condition that holds to the <see cref="EventLifecycle"/>, which turns them into onsets, updates and clears.
/// Implementations allocate nothing per tick and are not thread-safe (one engine per partition).
/// </summary>
public abstract class Detector
{
    /// <summary>The event type this detector raises (BSW/LCW raises two; this is the first).</summary>
    public abstract EventType Type { get; }

    public abstract void Evaluate(TickContext context, EventLifecycle events);

    /// <summary>Called when the lane map changes: forget anything indexed by the old map's lanes or nodes.</summary>
    public virtual void UseMap(LaneMap map)
    {
    }
}
