"""The mathematics of the article as code: index maps, parameter counts, error bounds,
and the claim registry."""
