using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using QiZhiChunCheng.Core.Codecs;
using QiZhiChunCheng.Core.Messages;
using QiZhiChunCheng.Core.Validation;
using QiZhiChunCheng.Edge.Spool;

namespace QiZhiChunCheng.Edge.Sources;

/// <summary>
/// <c>udp:PORT</c> (or <c>udp:HOST:PORT</c> to bind one address): one JSON V2X message per datagram, as an RSU's
/// V2X stack emits them: a bare BSM, RSM, SPAT, MAP or RSI in the JER form, or the MessageFrame form
/// (<c>{"bsmFrame": {...}}</c>). Each is decoded and validated with the core codec before it is published as
/// received; anything else is rejected with its reason, counted, and the source goes on.
/// </summary>
public sealed class UdpSource : IMessageSource
{
    private readonly IPEndPoint _bind;

    public UdpSource(IPEndPoint bind) => _bind = bind;

    public string Description => $"JSON V2X messages on UDP {_bind}";

    public bool IsFinite => false;

    /// <summary>The port actually bound (after <see cref="RunAsync"/> started).</summary>
    public int BoundPort { get; private set; }

    public async Task RunAsync(SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        using UdpClient udp = new(_bind);
        BoundPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
        context.Log.Info($"udp: listening on {udp.Client.LocalEndPoint}");
        while (!cancellationToken.IsCancellationRequested)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await udp.ReceiveAsync(cancellationToken);
            }
            catch (SocketException ex)
            {
                // An ICMP error for an earlier send, or a transient fault: the socket is still good.
                context.Log.Warn($"udp: receive failed ({ex.SocketErrorCode}); listening on");
                continue;
            }

            if (Validate(datagram.Buffer, out MessageType type, out Rejection rejection))
            {
                await context.EmitAsync((UplinkKind)type, datagram.Buffer, context.NowUtcMs, cancellationToken);
            }
            else
            {
                context.Reject($"udp datagram of {datagram.Buffer.Length} bytes from {datagram.RemoteEndPoint}: {rejection}");
            }
        }
    }

    /// <summary>Tells the message type of a JSON datagram and checks it with the codec and the validator.</summary>
    public static bool Validate(ReadOnlySpan<byte> json, out MessageType type, out Rejection rejection)
    {
        if (!TryClassify(json, out type, out rejection))
        {
            return false;
        }

        return JsonCodec.TryDecode(type, json, default, out V2xMessage message, out rejection)
            && MessageValidator.TryValidate(message, out rejection);
    }

    /// <summary>
    /// Which message a JSON object is: the MessageFrame member (<c>bsmFrame</c>, <c>mapFrame</c>, <c>rsmFrame</c>,
    /// <c>spatFrame</c>, <c>rsiFrame</c>), else the members of a bare one: <c>participants</c> (RSM),
    /// <c>intersections</c> (SPAT), <c>nodes</c> (MAP), <c>rtes</c>/<c>rtss</c> (RSI), <c>pos</c> (BSM).
    /// </summary>
    public static bool TryClassify(ReadOnlySpan<byte> json, out MessageType type, out Rejection rejection)
    {
        type = default;
        if (json.Length > JsonCodec.MaxPayloadBytes)
        {
            rejection = new Rejection(RejectionKind.TooLarge, $"{json.Length} bytes is over the {JsonCodec.MaxPayloadBytes}-byte limit");
            return false;
        }

        bool pos = false, participants = false, intersections = false, nodes = false, rsi = false;
        try
        {
            Utf8JsonReader reader = new(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                rejection = new Rejection(RejectionKind.WrongType, "$: expected a JSON object (one V2X message per datagram)");
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                switch (reader.GetString())
                {
                    case "bsmFrame": type = MessageType.Bsm; rejection = default; return true;
                    case "mapFrame": type = MessageType.Map; rejection = default; return true;
                    case "rsmFrame": type = MessageType.Rsm; rejection = default; return true;
                    case "spatFrame": type = MessageType.Spat; rejection = default; return true;
                    case "rsiFrame": type = MessageType.Rsi; rejection = default; return true;
                    case "pos": pos = true; break;
                    case "participants": participants = true; break;
                    case "intersections": intersections = true; break;
                    case "nodes": nodes = true; break;
                    case "rtes" or "rtss": rsi = true; break;
                    default: break;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Let the codec name the place and the problem, as ingest would.
            JsonCodec.TryDecodeBsm(json, out _, out rejection);
            if (rejection.Kind == default)
            {
                rejection = new Rejection(RejectionKind.Malformed, "not JSON");
            }

            return false;
        }

        (bool found, type) = participants ? (true, MessageType.Rsm)
            : intersections ? (true, MessageType.Spat)
            : nodes ? (true, MessageType.Map)
            : rsi ? (true, MessageType.Rsi)
            : pos ? (true, MessageType.Bsm)
            : (false, default);
        rejection = found ? default : new Rejection(RejectionKind.UnknownMessageType, "$: neither a MessageFrame (bsmFrame, mapFrame, rsmFrame, spatFrame, rsiFrame) nor a bare BSM, RSM, SPAT, MAP or RSI");
        return found;
    }
}
