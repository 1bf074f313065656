"""Figures every writer draws the same way: a pure layout to a scene, then a painter per format."""
