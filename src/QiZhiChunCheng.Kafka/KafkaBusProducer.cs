using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using QiZhiChunCheng.Core;
using QiZhiChunCheng.Core.Bus;

namespace QiZhiChunCheng.Kafka;

/// <summary>
/// The bus producer on Kafka: idempotent (<c>enable.idempotence</c>, <c>acks=all</c>), so retries after a broker
/// fault neither lose nor duplicate nor reorder records within a topic-partition.
/// <para>
/// Kafka orders records only within one topic-partition, while a fusion worker must see partition p of all five
/// data topics in the order they were produced. So every data record is stamped with <c>ingest-id</c> (random per
/// producer instance) and <c>seq</c>: a counter per partition NUMBER shared by the five topics, taken under that
/// partition's lock together with librdkafka's synchronous enqueue, so seq order is enqueue order in every
/// topic-partition and <see cref="KafkaBusConsumer"/> can merge the five back into one sequence. Worked example,
/// partition 3: BSM(seq 0) → v2x.bsm/3, SPAT(seq 1) → v2x.spat/3, BSM(seq 2) → v2x.bsm/3; the consumer reads
/// v2x.bsm/3 = [0, 2] and v2x.spat/3 = [1] and restores 0, 1, 2. Events and dead letters are not stamped.
/// </para>
/// A full local queue makes callers wait and retry (back-pressure); nothing is dropped. Allocates the Kafka message
/// (key, headers, a value copy unless the memory is a whole array) per record. Thread-safe.
/// </summary>
public sealed class KafkaBusProducer : IBusProducer, IDisposable
{
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly KafkaBusOptions _options;
    private readonly object[] _locks;
    private readonly long[] _seq;
    private readonly byte[] _ingestIdBytes;
    private readonly Action<DeliveryReport<byte[], byte[]>> _countDelivery;
    private long _delivered;
    private long _failed;
    private long _queueFullWaits;
    private string? _lastError;
    private string? _fatalError;
    private bool _disposed;

    public KafkaBusProducer(KafkaBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Partitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.LingerMs);
        _options = options;
        Dictionary<string, string> config = KafkaWire.Config(options, null);
        config["enable.idempotence"] = "true";
        config["acks"] = "all";
        config["linger.ms"] = options.LingerMs.ToString(CultureInfo.InvariantCulture);
        // Delivery reports need only the status and position, not the key and value marshalled back.
        config["dotnet.producer.delivery.report.fields"] = "none";
        KafkaWire.Merge(config, options.ProducerProperties);

        _producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, message) => KafkaWire.Log(options, message))
            .SetErrorHandler((_, error) =>
            {
                _lastError = error.Reason;
                if (error.IsFatal)
                {
                    _fatalError = error.Reason;
                }
            })
            .Build();

        Partitions = options.Partitions;
        _locks = new object[Partitions];
        for (int i = 0; i < _locks.Length; i++)
        {
            _locks[i] = new object();
        }

        _seq = new long[Partitions];
        IngestId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _ingestIdBytes = Encoding.ASCII.GetBytes(IngestId);
        _countDelivery = report => Count(report.Error);
    }

    public int Partitions { get; }

    /// <summary>This instance's <c>ingest-id</c>: 16 hex digits, random per instance.</summary>
    public string IngestId { get; }

    /// <summary>Records the cluster acknowledged.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Records that were enqueued but not delivered (message.timeout.ms passed, or a fatal error).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Times a producer found librdkafka's queue full and waited (back-pressure).</summary>
    public long QueueFullWaits => Interlocked.Read(ref _queueFullWaits);

    /// <summary>The last error librdkafka reported (a broker down, a delivery failure), for status pages.</summary>
    public string? LastError => _lastError;

    /// <summary>The next seq of a partition number (for tests and metrics).</summary>
    public long NextSeq(int partition)
    {
        lock (_locks[partition])
        {
            return _seq[partition];
        }
    }

    public async ValueTask ProduceAsync(BusRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_fatalError is not null)
        {
            throw new InfrastructureException($"the Kafka producer stopped: {_fatalError}", retryable: false);
        }

        int partition = record.Partition >= 0 ? record.Partition : KafkaWire.PartitionOf(record.Key, Partitions);
        if (partition >= Partitions)
        {
            throw new ArgumentOutOfRangeException(nameof(record), record.Partition, $"partition must be below {Partitions}");
        }

        bool data = BusTopics.IsData(record.Topic);
        var message = new Message<byte[], byte[]>
        {
            Key = KafkaWire.EncodeKey(record.Key),
            Value = WholeArray(record.Value),
            Headers = PassThroughHeaders(record.Headers, data),
        };
        var topicPartition = new TopicPartition(record.Topic, new Partition(partition));
        TaskCompletionSource? delivered = null;
        Action<DeliveryReport<byte[], byte[]>> handler = _countDelivery;
        if (record.AwaitDelivery)
        {
            var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            delivered = completion;
            handler = report =>
            {
                Count(report.Error);
                if (report.Error.IsError)
                {
                    completion.TrySetException(new InfrastructureException($"Kafka did not take the record for {report.TopicPartition}: {report.Error.Reason}", retryable: !report.Error.IsFatal));
                }
                else
                {
                    completion.TrySetResult();
                }
            };
        }

        int delayMs = 1;
        while (!TryEnqueue(topicPartition, message, handler, data, partition))
        {
            Interlocked.Increment(ref _queueFullWaits);
            await Task.Delay(delayMs, cancellationToken);
            delayMs = Math.Min(delayMs * 2, 50);
        }

        if (delivered is not null)
        {
            await delivered.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Waits until every enqueued record is delivered or failed; false if <paramref name="timeout"/> ran out first.</summary>
    public bool Flush(TimeSpan timeout) => _producer.Flush(timeout) == 0;

    /// <summary>Flushes (up to 30 s) and closes the producer.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _producer.Flush(FlushTimeout);
        _producer.Dispose();
    }

    private bool TryEnqueue(TopicPartition topicPartition, Message<byte[], byte[]> message, Action<DeliveryReport<byte[], byte[]>> handler, bool data, int partition)
    {
        try
        {
            if (!data)
            {
                _producer.Produce(topicPartition, message, handler);
                return true;
            }

            // seq is taken and the record enqueued under one lock: within each topic-partition, seq order is
            // librdkafka's queue order, which the idempotent producer keeps on the broker.
            lock (_locks[partition])
            {
                long seq = _seq[partition];
                message.Headers.Add(KafkaWire.IngestIdHeader, _ingestIdBytes);
                message.Headers.Add(KafkaWire.SeqHeader, KafkaWire.EncodeSeq(seq));
                try
                {
                    _producer.Produce(topicPartition, message, handler);
                }
                catch
                {
                    message.Headers.Remove(KafkaWire.IngestIdHeader);
                    message.Headers.Remove(KafkaWire.SeqHeader);
                    throw;
                }

                _seq[partition] = seq + 1;
                return true;
            }
        }
        catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
        {
            return false;
        }
        catch (KafkaException ex)
        {
            throw new InfrastructureException($"Kafka refused a record for {topicPartition}: {ex.Error.Reason}", retryable: !ex.Error.IsFatal, ex);
        }
    }

    private void Count(Error error)
    {
        if (error.IsError)
        {
            Interlocked.Increment(ref _failed);
            _lastError = error.Reason;
        }
        else
        {
            Interlocked.Increment(ref _delivered);
        }
    }

    private static byte[] WholeArray(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out ArraySegment<byte> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    private static Headers PassThroughHeaders(IReadOnlyList<KeyValuePair<string, string>>? headers, bool data)
    {
        var result = new Headers();
        if (headers is null)
        {
            return result;
        }

        foreach (KeyValuePair<string, string> header in headers)
        {
            // A data record's stamp is this producer's to set; a stale one from elsewhere would corrupt the merge.
            if (data && header.Key is KafkaWire.IngestIdHeader or KafkaWire.SeqHeader)
            {
                continue;
            }

            result.Add(header.Key, Encoding.UTF8.GetBytes(header.Value));
        }

        return result;
    }
}
