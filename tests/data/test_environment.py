"""environment.yml (what Binder and conda read) and pyproject.toml (what pip reads) list the same
dependencies with the same version specifiers, so "works on my laptop" and "works in class"
are one claim."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# conda and pip spell a few names differently; none of ours today, but the map says where to add one.
CONDA_TO_PIP: dict[str, str] = {}


def normalise(name: str) -> str:
    """PEP 503: case, '-', '_' and '.' do not matter."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split(requirement: str) -> tuple[str, str]:
    """'jupyterlab>=4.2' -> ('jupyterlab', '>=4.2'); conda's single '=' pin reads as '=='."""
    m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*?)\s*", requirement)
    assert m, f"cannot read the requirement {requirement!r}"
    name, spec = m.group(1), m.group(3).replace(" ", "")
    if re.fullmatch(r"=[^=].*", spec):
        spec = "=" + spec
    return normalise(CONDA_TO_PIP.get(name, name)), ",".join(sorted(spec.split(","))) if spec else ""


def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_requirements() -> dict[str, str]:
    out = {}
    for dep in environment()["dependencies"]:
        if isinstance(dep, dict):  # the pip: section
            assert set(dep) == {"pip"}, f"unexpected section in environment.yml: {sorted(dep)}"
            assert dep["pip"] == ["-e ."], f"the pip: section should install only the workbook itself, not {dep['pip']}"
            continue
        name, spec = split(str(dep))
        if name in {"python", "pip"}:
            continue
        assert name not in out, f"{name} is listed twice in environment.yml"
        out[name] = spec
    return out


def pip_requirements() -> dict[str, str]:
    text = (ROOT / "pyproject.toml").read_text()
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # 3.10: read the [project] dependencies array by hand
        block = re.search(r"^\[project\]$.*?^dependencies\s*=\s*\[(.*?)\]", text, re.S | re.M)
        assert block, "no [project] dependencies in pyproject.toml"
        return dict(split(r) for r in re.findall(r'"([^"]+)"', block.group(1)))
    return dict(split(r) for r in tomllib.loads(text)["project"]["dependencies"])


def test_environment_yml_parses_with_a_python_and_pip():
    env = environment()
    assert isinstance(env, dict) and isinstance(env.get("dependencies"), list)
    names = [split(str(d))[0] for d in env["dependencies"] if not isinstance(d, dict)]
    assert "python" in names and "pip" in names
    assert any(isinstance(d, dict) and "pip" in d for d in env["dependencies"]), "no `pip: [-e .]` entry"


def test_environment_yml_matches_pyproject_dependencies():
    conda, pip = conda_requirements(), pip_requirements()
    missing = sorted(set(pip) - set(conda))
    extra = sorted(set(conda) - set(pip))
    differ = sorted(n for n in set(conda) & set(pip) if conda[n] != pip[n])
    assert not missing, f"in pyproject.toml but not environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pyproject.toml: {extra}"
    assert not differ, "version specifiers differ: " + "; ".join(
        f"{n}: environment.yml {conda[n]!r}, pyproject.toml {pip[n]!r}" for n in differ)


def test_the_requirement_reader():
    assert split("jupyterlab>=4.2") == ("jupyterlab", ">=4.2")
    assert split("PyYAML >= 6.0") == ("pyyaml", ">=6.0")
    assert split("python=3.11") == ("python", "==3.11")
    assert split("jupyter_server<3,>=2") == ("jupyter-server", "<3,>=2")
    assert split("pip") == ("pip", "")
