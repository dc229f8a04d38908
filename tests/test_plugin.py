"""The --impl option, claim markers and the claims table, end to end."""

import json
import textwrap

import pytest

CORRECT = '''
import numpy as np

def layer(x, V, u, padding):
    """An independent, correct implementation: pad, then sum shifted copies."""
    d = (V.shape[0] - 1) // 2
    H, W = x.shape
    if padding == "valid":
        if H < 2 * d + 1 or W < 2 * d + 1:
            raise ValueError("kernel larger than image")
        xp, out = x, (H - 2 * d, W - 2 * d)
    else:
        mode = "wrap" if padding == "circular" else "constant"
        xp, out = np.pad(x, d, mode=mode), (H, W)
    h = np.full(out, float(u))
    for a in range(2 * d + 1):
        for b in range(2 * d + 1):
            h += V[a, b] * xp[a:a + out[0], b:b + out[1]]
    return h

layer.error_model = "direct"
'''

FLIPPED = CORRECT.replace("V[a, b] * xp", "V[-1 - a, -1 - b] * xp")


def _write(tmp_path, source, name="impl.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return str(path)


@pytest.mark.slow
def test_external_correct_implementation_passes(tmp_path, run_pytest):
    impl = _write(tmp_path, CORRECT)
    out = tmp_path / "claims.json"
    result = run_pytest("properties", "--impl", f"{impl}:layer", "--claims-json", str(out))
    assert result.returncode == 0, result.stdout[-3000:]
    data = json.loads(out.read_text())
    layer_tests = [t for c in data["claims"] for t in c["tests"] if t["impl"] != "theory"]
    assert layer_tests
    assert {t["impl"] for t in layer_tests} == {f"{impl}:layer"}
    # A bare callable declares only 2-D float64: the N-D, channel and float32
    # properties skip for it, and every other layer property must pass; it implements
    # the layer contract, so the conv contract's properties skip for it too.
    undeclared = ("test_layers_nd.py", "test_agrees_in_float32", "test_conv_",
                  "test_pooling.py::test_average_pooling_is_a_uniform_convolution")
    declared = [t for t in layer_tests if not any(part in t["nodeid"] for part in undeclared)]
    assert declared
    assert all(t["outcome"] == "passed" for t in declared), [t["nodeid"] for t in declared
                                                              if t["outcome"] != "passed"]


@pytest.mark.slow
def test_external_flipped_kernel_fails(tmp_path, run_pytest):
    impl = _write(tmp_path, FLIPPED)
    result = run_pytest("properties/test_agreement.py", "--impl", f"{impl}:layer", "-x")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "agreement" in result.stdout
    assert "failed" in result.stdout


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_xyz:layer", "no module named 'no_such_module_xyz'"),
        ("numpy:no_such_name", "module 'numpy' has no name 'no_such_name'"),
        ("numpy:pi", "float object is not callable"),
        ("missing/file.py:layer", "no such file 'missing/file.py'"),
        ("nonsense", "not a built-in"),
    ],
)
def test_bad_impl_stops_with_one_line(spec, message, run_pytest):
    result = run_pytest("properties/test_dense.py", "--impl", spec)
    assert result.returncode == 4
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1, result.stderr
    assert message in errors[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_module_that_fails_to_import(tmp_path, run_pytest):
    impl = _write(tmp_path, "raise RuntimeError('broken on import')\n")
    result = run_pytest("properties/test_dense.py", "--impl", f"{impl}:layer")
    assert result.returncode == 4
    assert "raised RuntimeError: broken on import" in result.stderr


def test_property_without_claim_is_rejected(repo_copy, run_pytest):
    stray = repo_copy / "convproof" / "properties" / "test_zz_stray.py"
    stray.write_text("def test_unclaimed():\n    assert 1 + 1 == 2\n")
    result = run_pytest(str(stray), cwd=repo_copy)
    assert result.returncode == 4
    assert "names no claim" in result.stderr


def test_unknown_claim_id_is_rejected(repo_copy, run_pytest):
    stray = repo_copy / "convproof" / "properties" / "test_zz_unknown.py"
    stray.write_text(
        "import pytest\n\n@pytest.mark.claim('no-such-claim')\ndef test_x():\n    assert True\n"
    )
    result = run_pytest(str(stray), cwd=repo_copy)
    assert result.returncode == 4
    assert "unknown claim 'no-such-claim'" in result.stderr


def test_claims_table_lists_every_claim(run_pytest, tmp_path):
    from convproof.theory.claims import CLAIMS

    out = tmp_path / "claims.json"
    result = run_pytest("properties/test_parameters.py", "--claims-json", str(out))
    assert result.returncode == 0, result.stdout[-2000:]
    assert "= claims =" in result.stdout.replace("==", "=")
    for claim in CLAIMS:
        assert claim.id in result.stdout
    data = json.loads(out.read_text())
    assert [c["id"] for c in data["claims"]] == [c.id for c in CLAIMS]
    assert set(data["versions"]) >= {"python", "numpy", "scipy", "hypothesis"}
    rows = {c["id"]: c for c in data["claims"]}
    assert rows["billions-to-hundreds"]["passed"] == 1
    assert rows["billions-to-hundreds"]["examples"] == 501
    assert rows["parameter-collapse"]["examples"] >= 3


def test_claim_without_property_is_rejected(repo_copy, run_pytest):
    """Deleting the only property of a claim must stop the run before any test runs."""
    (repo_copy / "convproof" / "properties" / "test_dense.py").unlink()
    result = run_pytest("convproof/properties", "--collect-only", "-q", cwd=repo_copy)
    assert result.returncode == 4, result.stdout[-2000:]
    assert "claims with no property: dense-layer" in result.stderr


def test_plain_pytest_collects_the_claims_only(run_pytest):
    """The README's test command, `pytest`, runs the properties; the suite's own tests
    run with `pytest tests`."""
    result = run_pytest("--collect-only", "-q")
    assert result.returncode == 0, result.stdout[-2000:]
    nodes = [line for line in result.stdout.splitlines() if "::" in line]
    assert len(nodes) > 100
    assert all(node.startswith("properties/") for node in nodes), nodes[:5]
