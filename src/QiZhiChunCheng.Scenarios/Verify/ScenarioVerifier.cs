using System.Diagnostics;
using System.Globalization;
using QiZhiChunCheng.Core.Events;
using QiZhiChunCheng.Scenarios.Format;
using QiZhiChunCheng.Scenarios.Replay;

namespace QiZhiChunCheng.Scenarios.Verify;

/// <summary>
/// The verdict on a scenario: replays it in process and matches the raised onsets against
/// <c>expected-events.json</c>. An expected event is matched by the first unused onset of its type whose
/// participants (resolved to the truth's ids through their BSM ids and RSU participant ids; an RSU itself, the
/// subject of a MISBEHAVIOR, to its device id <c>RSU-DF-01</c>) include the expected ones with the first of them as its subject, whose onset falls in the window, and whose anchor lies within the tolerance of the expected position.
/// A scenario passes when every expected event is matched, no forbidden event (and, in a negative scenario, no
/// event of its kind) was raised, and every line of the folder could be read. Stateless and thread-safe.
/// </summary>
public static class ScenarioVerifier
{
    private const int MaxCandidatesInReason = 3;

    /// <summary>Opens, replays and judges one folder; a folder that cannot be read is a failed verdict with the reason.</summary>
    public static ScenarioVerdict Verify(string dir, IScenarioGenerator? generator = null, InProcessReplayOptions? options = null, Action<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dir);
        Stopwatch clock = Stopwatch.StartNew();
        ScenarioFolder folder;
        try
        {
            folder = ScenarioFolder.Open(dir, generator);
        }
        catch (Exception ex) when (ex is ScenarioFormatException or IOException or UnauthorizedAccessException)
        {
            return new ScenarioVerdict
            {
                Name = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(dir))),
                Path = dir,
                Failures = [ex.Message],
                WallMs = clock.Elapsed.TotalMilliseconds,
            };
        }

        ReplayResult result;
        try
        {
            result = InProcessReplay.Run(folder, options, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is ScenarioFormatException or IOException or System.IO.InvalidDataException)
        {
            return new ScenarioVerdict
            {
                Name = folder.Manifest.Name,
                Path = dir,
                Kind = folder.Manifest.Kind,
                Negative = folder.Manifest.Negative,
                Expected = folder.Expected.Expected.Count,
                Missed = folder.Expected.Expected.Count,
                Failures = [$"{dir}: {ex.Message}"],
                WallMs = clock.Elapsed.TotalMilliseconds,
            };
        }

        return Judge(folder, result, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Judges a replay's events against the folder's expectations.</summary>
    public static ScenarioVerdict Judge(ScenarioFolder folder, ReplayResult result, double wallMs = 0)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        CultureInfo c = CultureInfo.InvariantCulture;
        ScenarioManifest manifest = folder.Manifest;
        List<Onset> onsets = [];
        foreach (V2xEvent e in result.Events)
        {
            if (e.Phase == EventPhase.Onset)
            {
                onsets.Add(new Onset(e, e.EventTimeUtcMs - manifest.StartUtcMs, [.. e.Participants.Select(p => result.ResolveParticipant(p) ?? ZoneRsus.DeviceIdOf(p) ?? p)]));
            }
        }

        List<string> failures = [];
        List<string> notes = [];
        int[] matchedBy = new int[onsets.Count];
        Array.Fill(matchedBy, -1);
        List<ExpectationOutcome> outcomes = [];
        List<long> leads = [];

        // Expected events, in the file's order, each taking the first onset that fits.
        for (int i = 0; i < folder.Expected.Expected.Count; i++)
        {
            ExpectedEvent x = folder.Expected.Expected[i];
            int found = -1;
            double? distance = null;
            for (int k = 0; k < onsets.Count && found < 0; k++)
            {
                if (matchedBy[k] < 0 && Mismatch(x, onsets[k], result, out double? d) is null)
                {
                    found = k;
                    distance = d;
                }
            }

            if (found < 0)
            {
                failures.Add($"missed expected[{i}]: {Describe(x)}: {WhyMissed(x, onsets, matchedBy, result)}");
                outcomes.Add(new ExpectationOutcome { Type = x.Type, Participants = x.Participants });
                continue;
            }

            matchedBy[found] = i;
            Onset o = onsets[found];
            long? lead = x.ConflictMs is { } conflict ? conflict - o.AtMs : null;
            if (lead is { } l)
            {
                leads.Add(l);
            }

            outcomes.Add(new ExpectationOutcome
            {
                Type = x.Type,
                Participants = x.Participants,
                Matched = true,
                EventId = o.Event.Id,
                OnsetMs = o.AtMs,
                LeadTimeMs = lead,
                DistanceM = distance is { } dm ? Math.Round(dm, 2) : null,
            });
        }

        // What must not be raised.
        HashSet<int> unexpected = [];
        for (int i = 0; i < folder.Expected.Forbidden.Count; i++)
        {
            ForbiddenEvent f = folder.Expected.Forbidden[i];
            long to = f.ToMs ?? long.MaxValue;
            for (int k = 0; k < onsets.Count; k++)
            {
                Onset o = onsets[k];
                if (SameType(f.Type, o.Event.Type) && o.AtMs >= f.FromMs && o.AtMs <= to && Involves(o, f.Participants) && unexpected.Add(k))
                {
                    failures.Add($"forbidden[{i}] ({f.Type}{Window(f.FromMs, f.ToMs)}{Who(f.Participants)}) raised: {Describe(o)}");
                }
            }
        }

        bool kindIsType = V2xEvent.TryParseType(manifest.Kind, out EventType kindType);
        if (manifest.Negative && kindIsType)
        {
            for (int k = 0; k < onsets.Count; k++)
            {
                if (onsets[k].Event.Type == kindType && unexpected.Add(k))
                {
                    failures.Add($"negative scenario of kind {manifest.Kind} raised: {Describe(onsets[k])}");
                }
            }
        }

        // Extra: onsets of a type the scenario speaks about that met no expectation.
        HashSet<EventType> spoken = [.. folder.Expected.Expected.Select(x => ParseType(x.Type))];
        if (kindIsType)
        {
            spoken.Add(kindType);
        }

        Dictionary<string, int> falsePositives = new(StringComparer.Ordinal);
        int extra = 0;
        for (int k = 0; k < onsets.Count; k++)
        {
            string code = V2xEvent.TypeCode(onsets[k].Event.Type);
            if (unexpected.Contains(k))
            {
                falsePositives[code] = falsePositives.GetValueOrDefault(code) + 1;
            }
            else if (matchedBy[k] < 0 && spoken.Contains(onsets[k].Event.Type))
            {
                falsePositives[code] = falsePositives.GetValueOrDefault(code) + 1;
                if (extra++ < MaxCandidatesInReason)
                {
                    notes.Add($"extra onset (matched no expectation): {Describe(onsets[k])}");
                }
            }
        }

        if (extra > MaxCandidatesInReason)
        {
            notes.Add(string.Create(c, $"... {extra - MaxCandidatesInReason} more extra onsets"));
        }

        // The folder itself.
        if (result.BadLines > 0)
        {
            failures.Add(string.Create(c, $"{result.BadLines} line(s) of the folder could not be read, the first: {result.Problems.FirstOrDefault(p => !p.Contains(" refused", StringComparison.Ordinal)) ?? (result.Problems.Count > 0 ? result.Problems[0] : "")}"));
        }

        foreach (string id in ScenarioFolder.NamedRoadUsers(folder.Expected).Distinct(StringComparer.Ordinal).Where(id => !result.TruthIds.Contains(id)))
        {
            failures.Add($"expected-events.json names participant '{id}', which the truth does not have{(folder.TruthFile is null ? " (the folder has no truth.jsonl)" : "")}");
        }

        if (result.Rejected > 0)
        {
            notes.Add(string.Create(c, $"{result.Rejected} message(s) refused by the platform's rules, the first: {result.Problems.FirstOrDefault(p => p.Contains(" refused", StringComparison.Ordinal) || p.Contains("topic", StringComparison.Ordinal))}"));
        }

        if (!folder.HasExpectations)
        {
            notes.Add("no expected-events.json: nothing to check but that the folder replays");
        }

        int matched = outcomes.Count(o => o.Matched);
        return new ScenarioVerdict
        {
            Name = manifest.Name,
            Passed = failures.Count == 0,
            Expected = outcomes.Count,
            Matched = matched,
            Missed = outcomes.Count - matched,
            Unexpected = unexpected.Count,
            MeanLeadTimeMs = leads.Count == 0 ? null : Math.Round(leads.Average(), 1),
            FusionRmseM = result.Fusion.RmseM,
            DuplicateTrackShare = result.Fusion.DuplicateTrackShare,
            Path = folder.Path,
            Kind = manifest.Kind,
            Negative = manifest.Negative,
            Extra = extra,
            Messages = result.Messages,
            Rejected = result.Rejected,
            FalsePositives = falsePositives,
            Onsets = onsets.GroupBy(o => V2xEvent.TypeCode(o.Event.Type)).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Expectations = outcomes,
            Failures = failures,
            Notes = notes,
            WallMs = Math.Round(wallMs, 1),
            TrafficState = result.Traffic,
        };
    }

    // Null when the onset fits the expectation; else why not.
    private static string? Mismatch(ExpectedEvent x, Onset o, ReplayResult result, out double? distanceM)
    {
        distanceM = null;
        if (!SameType(x.Type, o.Event.Type))
        {
            return "another type";
        }

        List<string> why = [];
        if (o.AtMs < x.FromMs || o.AtMs > x.ToMs)
        {
            why.Add(string.Create(CultureInfo.InvariantCulture, $"onset at {o.AtMs} ms is outside {x.FromMs}..{x.ToMs} ms"));
        }

        if (!Involves(o, x.Participants))
        {
            why.Add($"its participants are [{string.Join(", ", o.Participants)}] (subject first)");
        }

        if (x.Lat is { } lat && x.Lon is { } lon)
        {
            (double ex, double ey) = result.Frame.ToLocal(lat, lon);
            (double ox, double oy) = result.Frame.ToLocal(o.Event.LatitudeDeg, o.Event.LongitudeDeg);
            double d = Math.Sqrt(((ex - ox) * (ex - ox)) + ((ey - oy) * (ey - oy)));
            distanceM = d;
            if (d > x.ToleranceM)
            {
                why.Add(string.Create(CultureInfo.InvariantCulture, $"it is {d:F1} m from the expected position (tolerance {x.ToleranceM:G} m)"));
            }
        }

        return why.Count == 0 ? null : string.Join(", ", why);
    }

    private static string WhyMissed(ExpectedEvent x, List<Onset> onsets, int[] matchedBy, ReplayResult result)
    {
        List<int> candidates = [.. Enumerable.Range(0, onsets.Count).Where(k => SameType(x.Type, onsets[k].Event.Type))];
        if (candidates.Count == 0)
        {
            return onsets.Count == 0 ? $"no {x.Type} onset was raised (no event at all)" : $"no {x.Type} onset was raised (raised: {string.Join(", ", onsets.GroupBy(o => V2xEvent.TypeCode(o.Event.Type)).Select(g => $"{g.Key} {g.Count()}"))})";
        }

        // The nearest in time first: the likeliest intended match.
        long middle = (x.FromMs + x.ToMs) / 2;
        IEnumerable<string> reasons = candidates
            .OrderBy(k => Math.Abs(onsets[k].AtMs - middle))
            .Take(MaxCandidatesInReason)
            .Select(k => matchedBy[k] >= 0
                ? $"the {x.Type} onset at {onsets[k].AtMs} ms already matched expected[{matchedBy[k]}]"
                : $"the {x.Type} onset at {onsets[k].AtMs} ms for [{string.Join(", ", onsets[k].Participants)}]: {Mismatch(x, onsets[k], result, out _)}");
        string more = candidates.Count > MaxCandidatesInReason ? string.Create(CultureInfo.InvariantCulture, $" (and {candidates.Count - MaxCandidatesInReason} more)") : "";
        return string.Join("; ", reasons) + more;
    }

    // The first named participant is the subject (the one warned); the others may come in any order.
    private static bool Involves(Onset o, List<string> participants)
    {
        if (participants.Count == 0)
        {
            return true;
        }

        if (o.Participants.Count == 0 || o.Participants[0] != participants[0])
        {
            return false;
        }

        for (int i = 1; i < participants.Count; i++)
        {
            if (!o.Participants.Contains(participants[i], StringComparer.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameType(string code, EventType type) => V2xEvent.TryParseType(code, out EventType t) && t == type;

    private static EventType ParseType(string code) => V2xEvent.TryParseType(code, out EventType t) ? t : default;

    private static string Describe(ExpectedEvent x) =>
        string.Create(CultureInfo.InvariantCulture, $"{x.Type}{Who(x.Participants)} with onset in {x.FromMs}..{x.ToMs} ms{(x.Lat is { } lat ? $" within {x.ToleranceM:G} m of {lat:F6},{x.Lon:F6}" : "")}");

    private static string Describe(Onset o) =>
        string.Create(CultureInfo.InvariantCulture, $"{V2xEvent.TypeCode(o.Event.Type)} at {o.AtMs} ms for [{string.Join(", ", o.Participants)}] at {o.Event.LatitudeDeg:F6},{o.Event.LongitudeDeg:F6} ({o.Event.Id})");

    private static string Who(List<string> participants) => participants.Count == 0 ? "" : $" [{string.Join(", ", participants)}]";

    private static string Window(long from, long? to) =>
        string.Create(CultureInfo.InvariantCulture, $" in {from}..{(to is { } t ? t.ToString(CultureInfo.InvariantCulture) : "end")} ms");

    private sealed record Onset(V2xEvent Event, long AtMs, List<string> Participants);
}
