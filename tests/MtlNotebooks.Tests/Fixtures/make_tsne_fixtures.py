#!/usr/bin/env python3
"""Prints scikit-learn's t-SNE joint probabilities for the fixed input of TsneTests.JointProbabilities_MatchScikitLearn.

Run with Debian's scikit-learn (apt-get install python3-sklearn): /usr/bin/python3 make_tsne_fixtures.py
The eight points have integer coordinates, so their squared distances are exact in the float32 that scikit-learn's
bandwidth search uses, and the two implementations see the same numbers. The output is pasted into the test as constants.
"""
import numpy as np
import sklearn
from scipy.spatial.distance import squareform
from sklearn.manifold._t_sne import _joint_probabilities
from sklearn.metrics import pairwise_distances

POINTS = np.array([
    [0, 0, 0], [1, 0, 2], [0, 3, 1], [4, 1, 0],
    [2, 2, 2], [5, 4, 1], [1, 5, 3], [3, 0, 4],
], dtype=np.float64)
PERPLEXITY = 3.0

distances = pairwise_distances(POINTS, metric="euclidean", squared=True)   # as TSNE(method="exact") does
joint = squareform(_joint_probabilities(distances, PERPLEXITY, verbose=0))  # condensed -> square, zero diagonal

print(f"    // scikit-learn {sklearn.__version__}, sklearn.manifold._t_sne._joint_probabilities, perplexity {PERPLEXITY:g}")
print("    private static readonly double[,] ScikitLearnJoint =")
print("    {")
for row in joint:
    print("        { " + ", ".join(f"{v:.17g}" for v in row) + " },")
print("    };")
