using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Engine.Map;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Replay;

namespace QiZhiChunCheng.Scenarios.Tests;

/// <summary>
/// The small hand-made scenario kept under <c>Data/fcw-tiny-rear-end</c>: two test vehicles in lane 2 of Dongfeng
/// Street's north-east-bound approach to Feiyue Road, 200 m before the stop line. The follower at 15 m/s closes on the
/// leader at 10 m/s, 20 m bumper to bumper at t = 0: TTC 4 s, under the 2.5 s FCW threshold from t = 1.5 s, contact
/// at t = 4 s if nobody brakes. 3 s of BSMs at 10 Hz from each, their truth, one FCW expected. This builder is how the
/// committed files were made (so they stay explainable); <c>QZCC_REGENERATE_TINY=1</c> rewrites them.
/// </summary>
internal static class TinyFcwScenario
{
    public const string FollowerBsm = "515A4343464F4C31"; // "QZCCFOL1"
    public const string LeaderBsm = "515A43434C454131";   // "QZCCLEA1"

    /// <summary>08:00:00 UTC, 28 November 2026.</summary>
    public static readonly long Start = new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public static ScenarioManifest Manifest => new()
    {
        Name = "fcw-tiny-rear-end",
        Description = "Two test vehicles in one lane of Dongfeng Street: the follower at 54 km/h closes on the leader at 36 km/h from 20 m; FCW for the follower about 1.5 s in.",
        Kind = "FCW",
        StartUtcMs = Start,
        DurationMs = 3000,
        Seed = 0,
    };

    public static void Write(string dir)
    {
        LaneMap map = InProcessReplay.EngineOptionsFor(Manifest).Map;
        (double x0, double y0, double heading) = LanePose(map, node: 1, upstream: 11, laneId: 2, beforeStopLineM: 200);
        double rad = heading * Math.PI / 180;
        List<ScenarioMessage> messages = [];
        List<TruthSample> truth = [];
        for (long t = 0; t <= 3000; t += 100)
        {
            foreach ((string id, string bsmId, string device, double offsetM, double speedMps) in new[]
            {
                ("follower", FollowerBsm, "VEH-F1", 0.0, 15.0),
                ("leader", LeaderBsm, "VEH-L1", 24.8, 10.0),
            })
            {
                double along = offsetM + (speedMps * t / 1000.0);
                (double lat, double lon) = map.Frame.ToWgs84(x0 + (along * Math.Sin(rad)), y0 + (along * Math.Cos(rad)));
                lat = Math.Round(lat, 7);
                lon = Math.Round(lon, 7);
                messages.Add(new ScenarioMessage { T = t, Topic = $"V2X/OBU/{device}/BSM/UP", Payload = BsmPayload(bsmId, Start + t, lat, lon, speedMps, heading) });
                truth.Add(new TruthSample { T = t, Id = id, BsmId = bsmId, Lat = lat, Lon = lon, SpeedMps = speedMps, HeadingDeg = Math.Round(heading, 2) });
            }
        }

        (double eLat, double eLon) = map.Frame.ToWgs84(x0 + (22.5 * Math.Sin(rad)), y0 + (22.5 * Math.Cos(rad)));
        ExpectedEvents expected = new()
        {
            Expected =
            [
                new ExpectedEvent
                {
                    Type = "FCW",
                    Participants = ["follower", "leader"],
                    FromMs = 1000,
                    ToMs = 2500,
                    Lat = Math.Round(eLat, 6),
                    Lon = Math.Round(eLon, 6),
                    ToleranceM = 30,
                    ConflictMs = 4000,
                },
            ],
            Forbidden = [new ForbiddenEvent { Type = "EBW" }, new ForbiddenEvent { Type = "FCW", Participants = ["leader"], FromMs = 0 }],
        };
        ScenarioFolder.Write(dir, Manifest, messages, truth, expected);
    }

    private static JsonElement BsmPayload(string bsmId, long utcMs, double lat, double lon, double speedMps, double headingDeg)
    {
        if (!OctetId8.TryParseHex(bsmId, out OctetId8 id))
        {
            throw new ArgumentException($"'{bsmId}' is not 16 hex digits", nameof(bsmId));
        }

        Bsm bsm = new()
        {
            MsgCnt = (byte)(utcMs / 100 % 128),
            Id = id,
            SecMark = (ushort)(utcMs % 60000),
            Pos = Position3D.FromDegrees(lat, lon, 215),
            Transmission = TransmissionState.ForwardGears,
            Speed = (ushort)Math.Round(speedMps / 0.02),
            Heading = (ushort)(Math.Round(headingDeg / 0.0125) % 28800),
            AccelSet = new AccelerationSet4Way(0, 0, 0, 0),
            Size = new VehicleSize(185, 480),
            VehicleClass = new VehicleClassification(10),
        };
        byte[] json = JsonCodec.Encode(new V2xMessage(new Envelope { Type = MessageType.Bsm }, bsm));
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    // The point beforeStopLineM back from the lane's end along its centre line, and the heading there.
    private static (double X, double Y, double HeadingDeg) LanePose(LaneMap map, ushort node, ushort upstream, byte laneId, double beforeStopLineM)
    {
        int lane = map.FindLane(new NodeReferenceId(node), new NodeReferenceId(upstream), laneId);
        MapLaneInfo info = map.Lanes[lane];
        double remaining = beforeStopLineM;
        for (int p = info.FirstPoint + info.PointCount - 1; p > info.FirstPoint; p--)
        {
            double ax = map.PointX[p - 1], ay = map.PointY[p - 1], bx = map.PointX[p], by = map.PointY[p];
            double len = Math.Sqrt(((bx - ax) * (bx - ax)) + ((by - ay) * (by - ay)));
            if (remaining <= len)
            {
                double f = remaining / len;
                return (bx - ((bx - ax) * f), by - ((by - ay) * f), (Math.Atan2(bx - ax, by - ay) * 180 / Math.PI + 360) % 360);
            }

            remaining -= len;
        }

        throw new InvalidOperationException("the lane is shorter than asked");
    }
}
