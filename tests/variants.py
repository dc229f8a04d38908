"""Helpers for showing that a property fails on a wrong variant."""

from __future__ import annotations

from collections.abc import Callable


def fails(prop: Callable, **kwargs) -> str:
    """Run a property (a @given test called directly) and return the message of the
    AssertionError it raises; raise AssertionError if it passes."""
    try:
        prop(**kwargs)
    except AssertionError as exc:
        return str(exc)
    except BaseExceptionGroup as group:  # Hypothesis reports several distinct bugs at once
        match, rest = group.split(AssertionError)
        if match is not None and rest is None:
            return str(match.exceptions[0])
        raise
    raise AssertionError(f"{getattr(prop, '__name__', prop)} passed on a wrong variant")
