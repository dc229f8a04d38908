"""The Hypothesis properties, one module per family of claims, and what they share."""
