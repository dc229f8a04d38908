"""The checkout's root conftest: what pytest must not collect here.

The suite itself is the pytest plugin convproof.plugin (loaded by ``-p convproof`` in
pyproject.toml's addopts, or by its entry point where convproof is installed): the
``--impl`` option, the Hypothesis profiles (convproof.profiles), the claim markers and
the claims table.
"""

collect_ignore = ["bench", "docs", "build"]
