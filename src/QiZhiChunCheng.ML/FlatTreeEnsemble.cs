using Microsoft.ML.Trainers.FastTree;

namespace QiZhiChunCheng.ML;

/// <summary>
/// A tree ensemble as flat arrays. Node children: a value ≥ 0 is the next node, a negative value <c>~leaf</c> a
/// leaf; a tree's root is a leaf (negative) when it never split. Leaf values are pre-multiplied by the tree's weight.
/// <see cref="Score"/> is FastTree's raw output (the sum of the trees' leaves plus the bias) with FastTree's split
/// rule (left when the feature is at or below the threshold); it allocates nothing and is thread-safe.
/// </summary>
internal sealed class FlatTreeEnsemble
{
    private readonly int[] _roots;
    private readonly int[] _feature;
    private readonly float[] _threshold;
    private readonly int[] _left;
    private readonly int[] _right;
    private readonly double[] _leaf;
    private readonly double _bias;

    public FlatTreeEnsemble(RegressionTreeEnsemble ensemble, int featureCount)
    {
        List<int> feature = [], left = [], right = [];
        List<float> threshold = [];
        List<double> leaf = [];
        _roots = new int[ensemble.Trees.Count];
        for (int t = 0; t < ensemble.Trees.Count; t++)
        {
            RegressionTree tree = ensemble.Trees[t];
            int nodeBase = feature.Count, leafBase = leaf.Count;
            double weight = ensemble.TreeWeights[t];
            for (int l = 0; l < tree.NumberOfLeaves; l++)
            {
                leaf.Add(tree.LeafValues[l] * weight);
            }

            if (tree.NumberOfLeaves <= 1 || tree.NumberOfNodes == 0)
            {
                _roots[t] = ~leafBase;
                continue;
            }

            _roots[t] = nodeBase;
            for (int n = 0; n < tree.NumberOfNodes; n++)
            {
                if (tree.CategoricalSplitFlags.Count > n && tree.CategoricalSplitFlags[n])
                {
                    throw new InvalidDataException("the tree ensemble has a categorical split; the features are all numeric");
                }

                feature.Add(tree.NumericalSplitFeatureIndexes[n]);
                threshold.Add(tree.NumericalSplitThresholds[n]);
                left.Add(Child(tree.LeftChild[n], nodeBase, leafBase));
                right.Add(Child(tree.RightChild[n], nodeBase, leafBase));
            }
        }

        if (feature.Exists(f => f < 0 || f >= featureCount))
        {
            throw new InvalidDataException($"the tree ensemble splits on a feature outside 0..{featureCount - 1}");
        }

        _feature = [.. feature];
        _threshold = [.. threshold];
        _left = [.. left];
        _right = [.. right];
        _leaf = [.. leaf];
        _bias = ensemble.Bias;

        static int Child(int child, int nodeBase, int leafBase) => child >= 0 ? nodeBase + child : ~(leafBase + ~child);
    }

    public double Score(ReadOnlySpan<float> x)
    {
        double sum = _bias;
        int[] roots = _roots;
        for (int t = 0; t < roots.Length; t++)
        {
            int n = roots[t];
            while (n >= 0)
            {
                n = x[_feature[n]] <= _threshold[n] ? _left[n] : _right[n];
            }

            sum += _leaf[~n];
        }

        return sum;
    }
}
