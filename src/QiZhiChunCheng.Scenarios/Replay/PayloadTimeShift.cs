using System.Text.Json.Nodes;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Time;

namespace QiZhiChunCheng.Scenarios.Replay;

/// <summary>
/// Moves the time markers inside a JER payload by a fixed amount, so that a scenario recorded at one time replays as
/// if it happened now: the cloud detects on the messages' own event time, which it rebuilds from these markers near
/// the envelope's generation time (<c>ts</c>). Each marker is first placed in absolute time near the message's
/// original generation time, then moved, then written back in its own unit:
/// <list type="bullet">
/// <item>BSM <c>secMark</c>, RSM <c>participants[].secMark</c> (ms within the minute);</item>
/// <item>SPAT <c>moy</c> + <c>timeStamp</c> (minute of the year + ms within it; at the top and per intersection),
/// and <c>utcTiming</c> TimeMarks (0.1 s within the hour); <c>counting</c> timings are relative and stay;</item>
/// <item>RSI <c>moy</c> and <c>timeDetails.startTime</c>/<c>endTime</c>, MAP <c>timeStamp</c> (minutes of the year:
/// moved to the minute that holds the moved instant).</item>
/// </list>
/// Worked example: a BSM generated at 08:00:59.950 with secMark 59950, shifted by +90 s, gets secMark 29950 (08:02:29.950).
/// Invalid markers (secMark 60000 and above, moy 527040, TimeMark 36001) are left as they are: they are part of the test.
/// Allocates (a JSON tree per payload); thread-safe.
/// </summary>
public static class PayloadTimeShift
{
    private static readonly string[] UtcTimingMembers = ["startUTCTime", "minEndUTCTime", "maxEndUTCTime", "likelyEndUTCTime", "nextStartUTCTime", "nextEndUTCTime"];

    /// <summary>
    /// Shifts the markers of <paramref name="payload"/> (a message of <paramref name="type"/>, bare or in its
    /// MessageFrame form) generated at <paramref name="generatedUtcMs"/> by <paramref name="shiftMs"/>, in place.
    /// </summary>
    public static void Shift(JsonNode payload, MessageType type, long generatedUtcMs, long shiftMs)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (shiftMs == 0 || payload is not JsonObject root)
        {
            return;
        }

        // The MessageFrame form: {"bsmFrame": {...}}.
        if (root.Count == 1 && root.First() is { Key: var key, Value: JsonObject inner } && key.EndsWith("Frame", StringComparison.Ordinal))
        {
            root = inner;
        }

        switch (type)
        {
            case MessageType.Bsm:
                SecMark(root, "secMark", generatedUtcMs, shiftMs);
                break;
            case MessageType.Rsm:
                foreach (JsonObject p in Objects(root["participants"]))
                {
                    SecMark(p, "secMark", generatedUtcMs, shiftMs);
                }

                break;
            case MessageType.Spat:
                MoyAndTimeStamp(root, generatedUtcMs, shiftMs);
                foreach (JsonObject intersection in Objects(root["intersections"]))
                {
                    MoyAndTimeStamp(intersection, generatedUtcMs, shiftMs);
                    foreach (JsonObject phase in Objects(intersection["phases"]))
                    {
                        foreach (JsonObject state in Objects(phase["phaseStates"]))
                        {
                            if (state["timing"]?["utcTiming"] is JsonObject utc)
                            {
                                foreach (string member in UtcTimingMembers)
                                {
                                    TimeMark(utc, member, generatedUtcMs, shiftMs);
                                }
                            }
                        }
                    }
                }

                break;
            case MessageType.Rsi:
                Moy(root, "moy", generatedUtcMs, shiftMs);
                foreach (string list in new[] { "rtes", "rtss" })
                {
                    foreach (JsonObject item in Objects(root[list]))
                    {
                        if (item["timeDetails"] is JsonObject details)
                        {
                            Moy(details, "startTime", generatedUtcMs, shiftMs);
                            Moy(details, "endTime", generatedUtcMs, shiftMs);
                        }
                    }
                }

                break;
            case MessageType.Map:
                Moy(root, "timeStamp", generatedUtcMs, shiftMs);
                break;
            default:
                break;
        }
    }

    private static IEnumerable<JsonObject> Objects(JsonNode? array) => array is JsonArray a ? a.OfType<JsonObject>() : [];

    private static bool TryInt(JsonObject o, string member, out long value)
    {
        value = 0;
        return o[member] is JsonValue v && v.TryGetValue(out value);
    }

    private static void SecMark(JsonObject o, string member, long reference, long shift)
    {
        if (TryInt(o, member, out long secMark) && V2xTime.TryResolveSecMark((int)Math.Clamp(secMark, int.MinValue, int.MaxValue), reference, out long utc, out _))
        {
            o[member] = V2xTime.ToSecMark(utc + shift);
        }
    }

    private static void Moy(JsonObject o, string member, long reference, long shift)
    {
        if (TryInt(o, member, out long moy) && moy is >= 0 and < V2xTime.MoyInvalid && V2xTime.TryResolveMoy((uint)moy, 0, reference, out long utc, out _))
        {
            o[member] = V2xTime.ToMoy(utc + shift);
        }
    }

    // A SPAT's moy with its timeStamp (ms within the minute), moved together; a timeStamp alone is a secMark.
    private static void MoyAndTimeStamp(JsonObject o, long reference, long shift)
    {
        bool hasMoy = TryInt(o, "moy", out long moy);
        bool hasStamp = TryInt(o, "timeStamp", out long stamp);
        if (hasMoy && hasStamp)
        {
            if (moy is >= 0 and < V2xTime.MoyInvalid && stamp is >= 0 and < V2xTime.SecMarkInvalidFrom
                && V2xTime.TryResolveMoy((uint)moy, (int)stamp, reference, out long utc, out _))
            {
                o["moy"] = V2xTime.ToMoy(utc + shift);
                o["timeStamp"] = V2xTime.ToSecMark(utc + shift);
            }
        }
        else if (hasMoy)
        {
            Moy(o, "moy", reference, shift);
        }
        else if (hasStamp)
        {
            SecMark(o, "timeStamp", reference, shift);
        }
    }

    private static void TimeMark(JsonObject o, string member, long reference, long shift)
    {
        if (TryInt(o, member, out long mark) && mark is >= 0 and < V2xTime.TimeMarkInvalid && V2xTime.TryResolveTimeMark((int)mark, reference, out long utc, out _))
        {
            long moved = utc + shift;
            o[member] = (((moved % V2xTime.MsPerHour) + V2xTime.MsPerHour) % V2xTime.MsPerHour) / 100;
        }
    }
}
