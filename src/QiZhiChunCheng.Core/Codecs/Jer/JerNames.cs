using System.Numerics;
using System.Text;

namespace QiZhiChunCheng.Core.Codecs.Jer;

/// <summary>
/// The member names of one SEQUENCE in declaration order, for the hand-written readers: the index of a name is
/// its bit in the "seen" mask and its case in the reader's switch. Immutable; thread-safe.
/// </summary>
internal sealed class JerNames
{
    private readonly string[] _names;
    private readonly byte[][] _utf8;

    public JerNames(params string[] names)
    {
        _names = names;
        _utf8 = Array.ConvertAll(names, Encoding.UTF8.GetBytes);
    }

    public string this[int index] => _names[index];

    /// <summary>
    /// The index of <paramref name="name"/>, or -1. Tries the member after the previous one first: writers keep
    /// declaration order, so a well-ordered message costs one compare per member instead of a scan.
    /// </summary>
    public int Find(ReadOnlySpan<byte> name, ref int next)
    {
        byte[][] names = _utf8;
        if ((uint)next < (uint)names.Length && name.SequenceEqual(names[next]))
        {
            return next++;
        }

        for (int i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                next = i + 1;
                return i;
            }
        }

        return -1;
    }

    /// <summary>The first member of <paramref name="required"/> (a mask of indexes) that <paramref name="seen"/> lacks.</summary>
    public JerError? Require(int seen, int required)
    {
        int missing = required & ~seen;
        return missing == 0 ? null : JerError.Missing(_names[BitOperations.TrailingZeroCount(missing)]);
    }
}
