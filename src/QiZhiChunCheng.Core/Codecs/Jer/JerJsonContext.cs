using System.Text.Json.Serialization;
using QiZhiChunCheng.Core.Messages;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// The source-generated (reflection-free, AOT-safe) serializer for the JER DTOs. All leaves go through the JER
/// converters, so the generated code reports bad input with the codec's rules.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters =
    [
        typeof(JerIntegerConverter),
        typeof(JerTextConverter),
        typeof(JerOctetId8Converter),
        typeof(JerEnumConverter<TransmissionState>),
        typeof(JerEnumConverter<PositionConfidence>),
        typeof(JerEnumConverter<BrakePedalStatus>),
        typeof(JerEnumConverter<TractionControlStatus>),
        typeof(JerEnumConverter<AntiLockBrakeStatus>),
        typeof(JerEnumConverter<StabilityControlStatus>),
        typeof(JerEnumConverter<BrakeBoostApplied>),
        typeof(JerEnumConverter<AuxiliaryBrakeStatus>),
        typeof(JerEnumConverter<ResponseType>),
        typeof(JerEnumConverter<SirenInUse>),
        typeof(JerEnumConverter<LightbarInUse>),
        typeof(JerEnumConverter<JerParticipantType>),
        typeof(JerEnumConverter<SourceType>),
        typeof(JerEnumConverter<JerLightState>),
        typeof(JerEnumConverter<SpeedLimitType>),
        typeof(JerEnumConverter<EventSource>),
    ])]
[JsonSerializable(typeof(BsmDto))]
[JsonSerializable(typeof(RsmDto))]
[JsonSerializable(typeof(SpatDto))]
[JsonSerializable(typeof(MapDto))]
[JsonSerializable(typeof(RsiDto))]
[JsonSerializable(typeof(MessageFrameDto))]
internal sealed partial class JerJsonContext : JsonSerializerContext;
