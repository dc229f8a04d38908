"""The --impl option, claim markers and the claims table, end to end."""

import json
import textwrap

import pytest

from tests.external_impls import CORRECT, FLIPPED


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
    from convproof.theory.claims import BY_ID, CLAIMS

    out = tmp_path / "claims.json"
    result = run_pytest("properties/test_parameters.py", "--claims-json", str(out))
    assert result.returncode == 0, result.stdout[-2000:]
    assert "= claims =" in result.stdout.replace("==", "=")
    data = json.loads(out.read_text())
    assert [c["id"] for c in data["claims"]] == [c.id for c in CLAIMS]
    # the terminal has a row for each claim the run selected; the JSON has every claim
    ran = [c["id"] for c in data["claims"] if c["passed"] + c["failed"] + c["skipped"]]
    table = result.stdout.split(" claims ", 1)[1]
    assert [line.split()[0] for line in table.splitlines()
            if line.split()[:1] and line.split()[0] in BY_ID] == ran
    assert f"{len(CLAIMS) - len(ran)} of {len(CLAIMS)} claims not selected" in result.stdout
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
