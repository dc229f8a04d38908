"""convproof: the claims of an article on convolution layers, as executable specifications.

Everything installs under this one name: ``convproof.theory`` (the mathematics and the
claim registry), ``convproof.reference`` (the implementations and adapters),
``convproof.properties`` (the Hypothesis properties and their strategies) and, in this
package, the runner: the pytest plugin (:mod:`convproof.plugin`), the guarded calls
properties make (:mod:`convproof.harness`), the claims table, the report and its figures.
In a checkout the first three are the top-level folders theory/, reference/ and
properties/ (pyproject.toml maps them).
"""

from pathlib import Path as _Path

__version__ = "0.2.0"

# In a checkout, where the working directory shadows the installed mapping (``python -c``
# run from the checkout finds this folder first), the top-level folders are the subpackages.
_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "theory").is_dir():
    __path__.append(str(_checkout))
