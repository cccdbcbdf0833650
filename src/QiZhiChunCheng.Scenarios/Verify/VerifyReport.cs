using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace QiZhiChunCheng.Scenarios.Verify;

/// <summary>
/// The verdict on one scenario, in the JSON shape of ARCHITECTURE.md (the first eight members), plus details.
/// </summary>
public sealed record ScenarioVerdict
{
    public required string Name { get; init; }

    public bool Passed { get; init; }

    /// <summary>Events the scenario expects.</summary>
    public int Expected { get; init; }

    /// <summary>Expected events matched by a raised onset (type, participants, window, position).</summary>
    public int Matched { get; init; }

    public int Missed { get; init; }

    /// <summary>Onsets that must not have been raised: forbidden ones, and in a negative scenario any of its kind.</summary>
    public int Unexpected { get; init; }

    /// <summary>Mean of (the truth's conflict moment - onset) over matched events that give a conflict moment; null if none.</summary>
    public double? MeanLeadTimeMs { get; init; }

    /// <summary>RMS distance between fused tracks and the truth at the same instants (m); null without truth.</summary>
    public double? FusionRmseM { get; init; }

    /// <summary>Share of track-ticks that duplicated a participant already tracked; null without truth.</summary>
    public double? DuplicateTrackShare { get; init; }

    /// <summary>The folder, as given.</summary>
    public string Path { get; init; } = "";

    public string Kind { get; init; } = "";

    public bool Negative { get; init; }

    /// <summary>
    /// Onsets of the scenario's kind (or of a type it expects) that matched no expectation. They lower the
    /// application's precision but do not fail a positive scenario.
    /// </summary>
    public int Extra { get; init; }

    public long Messages { get; init; }

    /// <summary>Messages the platform refuses (decode or validation).</summary>
    public long Rejected { get; init; }

    /// <summary>Unexpected and extra onsets, by event type (what lowers each application's precision).</summary>
    public Dictionary<string, int> FalsePositives { get; init; } = [];

    /// <summary>Onsets raised, by event type.</summary>
    public Dictionary<string, int> Onsets { get; init; } = [];

    /// <summary>Each expected event's outcome and lead time.</summary>
    public List<ExpectationOutcome> Expectations { get; init; } = [];

    /// <summary>Why the scenario failed, one line each; empty when it passed.</summary>
    public List<string> Failures { get; init; } = [];

    /// <summary>Things worth knowing that do not fail it (refused messages, extra events).</summary>
    public List<string> Notes { get; init; } = [];

    public double WallMs { get; init; }

    /// <summary>
    /// The traffic state per lane segment against the truth: the traffic-state model's accuracy and the rule-based
    /// TJW's agreement, over the same segment windows; null without truth.
    /// </summary>
    public Replay.TrafficStateScore? TrafficState { get; init; }
}

/// <summary>One expected event and what met it.</summary>
public sealed record ExpectationOutcome
{
    public required string Type { get; init; }

    public List<string> Participants { get; init; } = [];

    public bool Matched { get; init; }

    /// <summary>The matching event's id.</summary>
    public string? EventId { get; init; }

    /// <summary>Onset of the matching event, ms from the scenario's start.</summary>
    public long? OnsetMs { get; init; }

    public long? LeadTimeMs { get; init; }

    /// <summary>Distance of the event's anchor from the expected position (m), when one was expected.</summary>
    public double? DistanceM { get; init; }
}

/// <summary>Precision and recall of one application (event type) over all verified scenarios.</summary>
public sealed record ApplicationScore
{
    public int Expected { get; init; }

    public int Matched { get; init; }

    /// <summary>Onsets of this type that should not have been raised (unexpected) or matched nothing (extra).</summary>
    public int FalsePositives { get; init; }

    /// <summary>matched / (matched + false positives); null when neither.</summary>
    public double? Precision { get; init; }

    /// <summary>matched / expected; null when nothing was expected.</summary>
    public double? Recall { get; init; }

    public double? MeanLeadTimeMs { get; init; }
}

/// <summary>The report of <c>qzcc scenario verify</c>.</summary>
public sealed record VerifyReport
{
    public List<ScenarioVerdict> Scenarios { get; init; } = [];

    public int Passed { get; init; }

    public int Failed { get; init; }

    /// <summary>Per application (event type code), over every scenario.</summary>
    public SortedDictionary<string, ApplicationScore> Applications { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The traffic state over every scenario with truth: model accuracy and TJW agreement against the truth's labels.</summary>
    public TrafficStateSummary? TrafficState { get; init; }

    public static VerifyReport From(IReadOnlyList<ScenarioVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        SortedDictionary<string, (int Expected, int Matched, int FalsePositives, List<long> Leads)> byType = new(StringComparer.Ordinal);
        foreach (ScenarioVerdict v in verdicts)
        {
            foreach (ExpectationOutcome e in v.Expectations)
            {
                var s = Get(e.Type);
                s.Expected++;
                if (e.Matched)
                {
                    s.Matched++;
                }

                if (e.LeadTimeMs is { } lead)
                {
                    s.Leads.Add(lead);
                }

                byType[e.Type] = s;
            }

            foreach ((string type, int count) in v.FalsePositives)
            {
                var s = Get(type);
                s.FalsePositives += count;
                byType[type] = s;
            }
        }

        SortedDictionary<string, ApplicationScore> applications = new(StringComparer.Ordinal);
        foreach ((string type, var s) in byType)
        {
            applications[type] = new ApplicationScore
            {
                Expected = s.Expected,
                Matched = s.Matched,
                FalsePositives = s.FalsePositives,
                Precision = s.Matched + s.FalsePositives == 0 ? null : Math.Round((double)s.Matched / (s.Matched + s.FalsePositives), 4),
                Recall = s.Expected == 0 ? null : Math.Round((double)s.Matched / s.Expected, 4),
                MeanLeadTimeMs = s.Leads.Count == 0 ? null : Math.Round(s.Leads.Average(), 1),
            };
        }

        return new VerifyReport
        {
            Scenarios = [.. verdicts],
            Passed = verdicts.Count(v => v.Passed),
            Failed = verdicts.Count(v => !v.Passed),
            Applications = applications,
            TrafficState = TrafficStateSummary.From(verdicts),
        };

        (int Expected, int Matched, int FalsePositives, List<long> Leads) Get(string type) =>
            byType.TryGetValue(type, out var s) ? s : (0, 0, 0, []);
    }

    public string ToJson(bool indented = false) =>
        JsonSerializer.Serialize(this, indented ? VerifyJson.Indented.VerifyReport : VerifyJson.Default.VerifyReport);

    /// <summary>The report as Markdown: the scenarios, the applications, then every failure with its reasons.</summary>
    public string ToMarkdown()
    {
        StringBuilder sb = new();
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.AppendLine("# Scenario verification");
        sb.AppendLine();
        sb.AppendLine(c, $"{Passed} passed, {Failed} failed, {Scenarios.Count} scenarios.");
        sb.AppendLine();
        sb.AppendLine("| scenario | kind | verdict | expected | matched | missed | unexpected | extra | lead time (ms) | fusion RMSE (m) | duplicate tracks | messages | refused |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (ScenarioVerdict v in Scenarios)
        {
            sb.AppendLine(c, $"| {v.Name} | {v.Kind}{(v.Negative ? " (negative)" : "")} | {(v.Passed ? "pass" : "**FAIL**")} | {v.Expected} | {v.Matched} | {v.Missed} | {v.Unexpected} | {v.Extra} | {Num(v.MeanLeadTimeMs, "F0")} | {Num(v.FusionRmseM, "F2")} | {Pct(v.DuplicateTrackShare)} | {v.Messages} | {v.Rejected} |");
        }

        sb.AppendLine();
        sb.AppendLine("## Applications");
        sb.AppendLine();
        sb.AppendLine("| type | expected | matched | false positives | precision | recall | mean lead time (ms) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach ((string type, ApplicationScore a) in Applications)
        {
            sb.AppendLine(c, $"| {type} | {a.Expected} | {a.Matched} | {a.FalsePositives} | {Pct(a.Precision)} | {Pct(a.Recall)} | {Num(a.MeanLeadTimeMs, "F0")} |");
        }

        if (TrafficState is { } traffic)
        {
            sb.AppendLine();
            sb.AppendLine("## Traffic state per lane segment");
            sb.AppendLine();
            sb.AppendLine("Truth: the mean true speed over the lane's limit over the last 5 s (free flow 0.6 or more, congested under 0.25). TJW: a lane with an active TJW is congested at level 3, slowing at levels 1-2.");
            sb.AppendLine();
            sb.AppendLine("| scenario | windows | free / slowing / congested | model windows | model accuracy | TJW agreement |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|");
            foreach (ScenarioVerdict v in Scenarios.Where(v => v.TrafficState is { Windows: > 0 }))
            {
                Replay.TrafficStateScore t = v.TrafficState!;
                sb.AppendLine(c, $"| {v.Name} | {t.Windows} | {t.TruthLevels[0]} / {t.TruthLevels[1]} / {t.TruthLevels[2]} | {t.ModelWindows} | {Pct(t.ModelAccuracy)} | {Pct(t.TjwAccuracy)} |");
            }

            sb.AppendLine(c, $"| **all** | {traffic.Windows} | {traffic.TruthLevels[0]} / {traffic.TruthLevels[1]} / {traffic.TruthLevels[2]} | {traffic.ModelWindows} | {Pct(traffic.ModelAccuracy)} | {Pct(traffic.TjwAccuracy)} |");
        }

        foreach (ScenarioVerdict v in Scenarios.Where(v => v.Failures.Count > 0 || v.Notes.Count > 0))
        {
            sb.AppendLine();
            sb.AppendLine(c, $"## {v.Name}: {(v.Passed ? "passed" : "failed")}");
            sb.AppendLine();
            foreach (string f in v.Failures)
            {
                sb.AppendLine(c, $"- {f}");
            }

            foreach (string n in v.Notes)
            {
                sb.AppendLine(c, $"- note: {n}");
            }
        }

        return sb.ToString();

        static string Num(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";
        static string Pct(double? v) => v is { } x ? (x * 100).ToString("F1", CultureInfo.InvariantCulture) + " %" : "-";
    }
}

/// <summary>The traffic state over all verified scenarios: windows pooled, accuracies over the pooled windows.</summary>
public sealed record TrafficStateSummary
{
    public long Windows { get; init; }

    public long[] TruthLevels { get; init; } = new long[3];

    public long ModelWindows { get; init; }

    public double? ModelAccuracy { get; init; }

    public double? TjwAccuracy { get; init; }

    /// <summary>Pools the scenarios' windows; null when no scenario had any.</summary>
    public static TrafficStateSummary? From(IReadOnlyList<ScenarioVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        long windows = 0, modelWindows = 0, modelRight = 0, tjwRight = 0;
        long[] levels = new long[3];
        foreach (ScenarioVerdict v in verdicts)
        {
            if (v.TrafficState is not { Windows: > 0 } t)
            {
                continue;
            }

            windows += t.Windows;
            modelWindows += t.ModelWindows;
            for (int i = 0; i < 3; i++)
            {
                levels[i] += t.TruthLevels[i];
                modelRight += t.ModelConfusion[i][i];
                tjwRight += t.TjwConfusion[i][i];
            }
        }

        return windows == 0 ? null : new TrafficStateSummary
        {
            Windows = windows,
            TruthLevels = levels,
            ModelWindows = modelWindows,
            ModelAccuracy = modelWindows == 0 ? null : Math.Round((double)modelRight / modelWindows, 4),
            TjwAccuracy = Math.Round((double)tjwRight / windows, 4),
        };
    }
}

/// <summary>The JSON of the verify report: camelCase, nulls written (a null figure means "not measured").</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VerifyReport))]
public sealed partial class VerifyJson : JsonSerializerContext
{
    public static VerifyJson Indented { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
    });
}
