"""Profiles, similarity and side-by-side comparison of PTCEs (docs/comparison.md).

- :func:`load_profiles` reads a :class:`PTCEProfile` per PTCE with a few SPARQL queries;
- :func:`similarity` scores two profiles (weighted Jaccard, :class:`SimilarityWeights`);
  :func:`nearest` finds the PTCEs most like one;
- :func:`compare_ptces` puts 2 to 5 PTCEs side by side (:class:`Comparison`: rows, CSV, JSON).
"""

from ptce_kg.compare.comparison import MAX_PTCES, MIN_PTCES, Comparison, compare_ptces
from ptce_kg.compare.profile import load_profiles
from ptce_kg.compare.similarity import (
    Neighbour,
    Score,
    SimilarityWeights,
    jaccard,
    nearest,
    similarity,
)
from ptce_kg.compare.values import (
    Concept,
    Count,
    Entity,
    IndicatorValue,
    Place,
    PTCEProfile,
    Recognition,
    resolve_ptce,
)

__all__ = [
    "MAX_PTCES",
    "MIN_PTCES",
    "Comparison",
    "Concept",
    "Count",
    "Entity",
    "IndicatorValue",
    "Neighbour",
    "PTCEProfile",
    "Place",
    "Recognition",
    "Score",
    "SimilarityWeights",
    "compare_ptces",
    "jaccard",
    "load_profiles",
    "nearest",
    "resolve_ptce",
    "similarity",
]
