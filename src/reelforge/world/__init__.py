"""The procedural world: scenes as data, physics, renderer, sound, captions, datasets.

It is both the native model's training data and the judge's ground truth.
"""
