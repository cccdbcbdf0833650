using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine;

namespace QiZhiChunCheng.Engine.Tests;

public sealed class SpeedLimitWarningTests
{
    // A point on Dongfeng Street (limit 60 km/h), 2.4 m right of the centre line in the north-east-bound inner
    // lane, and one in a field south of it.
    private static readonly Position3D OnDongfeng = Position3D.FromDegrees(43.846175, 125.22180);
    private static readonly Position3D OffRoad = Position3D.FromDegrees(43.8400, 125.2300);
    private static readonly long Start = new DateTimeOffset(2026, 11, 28, 8, 0, 57, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void A_vehicle_speeding_for_more_than_a_second_raises_one_onset_not_ten_a_second()
    {
        List<V2xEvent> events = Drive(kmh: 72, seconds: 3);

        V2xEvent onset = Assert.Single(events);
        Assert.Equal(EventType.Slw, onset.Type);
        Assert.Equal(EventPhase.Onset, onset.Phase);
        Assert.Equal(Start + 1000, onset.EventTimeUtcMs);
        Assert.Equal("Dongfeng Street", onset.Location);
        Assert.Equal(20.0, onset.Figures["speedMps"], 2);
        Assert.Equal(16.67, onset.Figures["limitMps"], 2);
        Assert.Equal(["5645483030303033"], onset.Participants);
    }

    [Fact]
    public void Speeding_for_less_than_a_second_raises_nothing()
    {
        Assert.Empty(Drive(kmh: 72, seconds: 0.9));
    }

    [Theory]
    [InlineData(62.9, false)] // under the limit plus 5 % (63 km/h)
    [InlineData(63.0, false)] // at it: not over
    [InlineData(63.2, true)] // just over
    public void The_tolerance_is_five_percent_over_the_limit(double kmh, bool raised)
    {
        Assert.Equal(raised, Drive(kmh, seconds: 2).Count > 0);
    }

    [Fact]
    public void Off_every_road_there_is_no_limit_and_no_event()
    {
        // No SLW; the trust checks do call a vehicle reporting 120 km/h from a field misbehaving (tested in Trust/).
        Assert.DoesNotContain(Drive(kmh: 120, seconds: 3, position: OffRoad), e => e.Type == EventType.Slw);
    }

    [Fact]
    public void Slowing_down_clears_the_event_with_the_same_id()
    {
        DetectionEngine engine = new(ZoneFixture.Options);
        List<V2xEvent> events = [];
        Feed(engine, events, kmh: 72, fromMs: 0, toMs: 2000);
        Feed(engine, events, kmh: 50, fromMs: 2000, toMs: 2500);

        Assert.Equal([EventPhase.Onset, EventPhase.Clear], events.Select(e => e.Phase));
        Assert.Equal(events[0].Id, events[1].Id);
        Assert.Equal(Start + 2000, events[1].EventTimeUtcMs);
    }

    [Fact]
    public void Long_speeding_sends_updates_every_five_seconds_of_event_time()
    {
        List<V2xEvent> events = Drive(kmh: 80, seconds: 12);

        Assert.Equal([EventPhase.Onset, EventPhase.Update, EventPhase.Update], events.Select(e => e.Phase));
        Assert.Equal([Start + 1000, Start + 6000, Start + 11000], events.Select(e => e.EventTimeUtcMs));
        Assert.Single(events.Select(e => e.Id).Distinct());
    }

    [Fact]
    public void Events_follow_event_time_across_the_minute_roll_over_whatever_the_arrival_time()
    {
        // Start is 08:00:57; the run crosses 08:01:00, where secMark wraps from 59900 to 0.
        // The envelope's generation time is off by up to 20 s (a slow replay), yet the events are the same.
        List<V2xEvent> onTime = Drive(kmh: 72, seconds: 6);
        DetectionEngine engine = new(ZoneFixture.Options);
        List<V2xEvent> late = [];
        for (int ms = 0; ms <= 6000; ms += 100)
        {
            engine.Process(Message(72, Start + ms, envelopeTime: Start + ms + 20_000 - (ms * 3)), late);
        }

        Assert.Equal(onTime.Select(e => (e.Id, e.Phase, e.EventTimeUtcMs)), late.Select(e => (e.Id, e.Phase, e.EventTimeUtcMs)));
    }

    [Fact]
    public void Two_vehicles_are_judged_separately()
    {
        DetectionEngine engine = new(ZoneFixture.Options);
        List<V2xEvent> events = [];
        for (int ms = 0; ms <= 2000; ms += 100)
        {
            engine.Process(Message(72, Start + ms), events);
            engine.Process(Message(50, Start + ms, id: 0x5645483030303031), events);
        }

        Assert.Equal(["5645483030303033"], Assert.Single(events).Participants);
    }

    private static List<V2xEvent> Drive(double kmh, double seconds, Position3D? position = null)
    {
        DetectionEngine engine = new(ZoneFixture.Options);
        List<V2xEvent> events = [];
        Feed(engine, events, kmh, 0, (long)(seconds * 1000), position);
        return events;
    }

    private static void Feed(DetectionEngine engine, List<V2xEvent> events, double kmh, long fromMs, long toMs, Position3D? position = null)
    {
        for (long ms = fromMs; ms <= toMs; ms += 100)
        {
            engine.Process(Message(kmh, Start + ms, position: position), events);
        }
    }

    private static V2xMessage Message(double kmh, long utcMs, long? envelopeTime = null, ulong id = 0x5645483030303033, Position3D? position = null)
    {
        Bsm bsm = new()
        {
            MsgCnt = (byte)(utcMs / 100 % 128),
            Id = new OctetId8(id),
            SecMark = (ushort)(utcMs % 60000),
            Pos = position ?? OnDongfeng,
            Transmission = TransmissionState.ForwardGears,
            Speed = (ushort)Math.Round(kmh / 3.6 / 0.02),
            Heading = 4880,
            Size = new VehicleSize(185, 480),
            VehicleClass = new VehicleClassification(10),
        };
        Envelope envelope = new()
        {
            SourceKind = SourceKind.Obu,
            SourceId = DeviceId.Parse("VEH-0003"),
            GeneratedUtcMs = envelopeTime ?? utcMs,
            IngestUtcMs = (envelopeTime ?? utcMs) + 5,
        };
        return new V2xMessage(envelope, bsm);
    }
}
