"""Option values checked before any test runs: where the run will write, and the
Hypothesis profile. A bad value stops the run at once with one line (pytest.UsageError,
exit code 4), instead of a traceback after the whole suite has run.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.errors import InvalidArgument

from convproof import profiles

#: What a report directory holds (convproof.report.write_report); a directory holding
#: anything else is not replaced by a report.
REPORT_FILES = ("index.html", "report.md", "claims.json", "snippets")


def _unwritable(directory: Path) -> str:
    """Why no file can be created in ``directory`` ('' if one can): tried for real, since
    permission bits say nothing of read-only file systems, and root ignores them."""
    if not directory.exists():
        return f"{directory} does not exist"
    if not directory.is_dir():
        return f"{directory} is not a directory"
    try:
        with tempfile.TemporaryFile(dir=directory, prefix=".convproof-check-"):
            pass
    except OSError as exc:
        return f"cannot create a file in {directory} ({exc.strerror or exc})"
    return ""


def _existing_ancestor(path: Path) -> Path:
    for parent in path.parents:
        if parent.exists():
            return parent
    return Path(os.getcwd())


def json_problem(value: str) -> str:
    """Why ``--claims-json value`` cannot be written ('' if it can)."""
    path = Path(value)
    if path.is_dir():
        return f"--claims-json {value}: is a directory; give a file name"
    problem = _unwritable(path.parent if str(path.parent) else Path("."))
    return f"--claims-json {value}: {problem}" if problem else ""


def report_problem(value: str) -> str:
    """Why the report cannot be written into ``--claims-report value`` ('' if it can):
    an existing file, a directory holding files that are not a convproof report (the
    report replaces the directory whole), or no place to create it."""
    path = Path(value)
    if path.exists() and not path.is_dir():
        return f"--claims-report {value}: is an existing file; give a directory"
    if path.is_dir():
        others = sorted(p.name for p in path.iterdir()
                        if p.name not in REPORT_FILES and p.suffix != ".png")
        if others:
            shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            return (f"--claims-report {value}: holds files that are not a convproof report "
                    f"({shown}); give a new or empty directory")
    ancestor = _existing_ancestor(path.resolve())
    if not ancestor.is_dir():
        return f"--claims-report {value}: {ancestor} is not a directory"
    problem = _unwritable(ancestor)
    return f"--claims-report {value}: {problem}" if problem else ""


def profile_problem(name: str, where: str) -> str:
    """Why ``name`` (given as ``where``) is not a Hypothesis profile ('' if it is)."""
    try:
        settings.get_profile(name)
    except InvalidArgument:
        return (f"{where}: no Hypothesis profile {name!r}; the suite's profiles are "
                f"{', '.join(profiles.PROFILES)}")
    return ""


def rootdir_problem(config: pytest.Config) -> str:
    """pytest chooses its rootdir and configuration file before any plugin's options are
    known, so the value of ``--claims-json PATH`` (or ``--claims-report DIR``) is taken
    for a test path when it exists; when that left pytest without its configuration,
    say so instead of running with another rootdir (and collecting other tests)."""
    if config.inipath is not None:
        return ""
    for option in ("--claims-json", "--claims-report"):
        value = config.getoption(option)
        if value and option in config.invocation_params.args and Path(value).exists():
            return (f"{option} {value}: pytest took this existing path for a test path "
                    f"when choosing its rootdir ({config.rootpath}) and found no "
                    f"configuration; write {option}={value}")
    return ""


#: A replay pin: Hypothesis's version, a colon, its base64 reproduce blob.
REPLAY = re.compile(r"[0-9][0-9A-Za-z.+-]*:[A-Za-z0-9+/]+={0,2}")


def replay_problem(value: str) -> str:
    """Why ``--convproof-replay value`` is not a replay pin ('' if it is)."""
    if REPLAY.fullmatch(value):
        return ""
    return (f"--convproof-replay {value}: expected VERSION:BLOB, as a failure's replay "
            "command prints it (e.g. 6.170.27:AXicY2BgAAAABQAB)")


def check(config: pytest.Config) -> None:
    """Stop the run with one line if an option value cannot work."""
    problems = [rootdir_problem(config)]
    if config.getoption("claims_json"):
        problems.append(json_problem(config.getoption("claims_json")))
    if config.getoption("claims_report"):
        problems.append(report_problem(config.getoption("claims_report")))
    if config.getoption("convproof_replay"):
        problems.append(replay_problem(config.getoption("convproof_replay")))
    problems.append(profile_problem(profiles.default_profile(), "HYPOTHESIS_PROFILE="
                                    + profiles.default_profile()))
    chosen = config.getoption("--hypothesis-profile", default=None)
    if chosen:
        problems.append(profile_problem(chosen, f"--hypothesis-profile {chosen}"))
    problems = [p for p in problems if p]
    if problems:
        raise pytest.UsageError("; ".join(problems))
