"""The project's launch configuration: Binder pins, repo2docker, README links, no symlinks."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]


def read_requirements(path: Path) -> dict[str, Requirement]:
    """Requirement lines of a requirements file (comments, blank lines and `-r` includes left out)."""
    requirements = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            requirements[canonical(requirement.name)] = requirement
    return requirements


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def binder_pins() -> dict[str, str]:
    pins = {}
    for requirement in read_requirements(ROOT / "binder" / "requirements.txt").values():
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", (
            f"binder/requirements.txt must pin {requirement.name} with ==, found '{requirement}'"
        )
        pins[canonical(requirement.name)] = specifiers[0].version
    return pins


def test_binder_pins_every_learner_requirement_inside_its_range():
    pins = binder_pins()
    for name, requirement in read_requirements(ROOT / "requirements.txt").items():
        assert name in pins, f"binder/requirements.txt does not pin {name}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"binder pins {name}=={pins[name]}, outside requirements.txt's range '{requirement.specifier}'"
        )


def test_pin_check_catches_a_pin_outside_the_range():
    # The comparison above must be able to fail: a pin below the floor is rejected.
    assert not SpecifierSet(">=8.1,<9").contains("7.8.5")
    assert not SpecifierSet(">=4.0,<5").contains("5.0.0")


def test_binder_runtime_names_a_supported_python():
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert match, f"binder/runtime.txt should read like 'python-3.11', found '{runtime}'"
    assert int(match.group(1)) >= 10


def test_binder_postbuild_installs_nnlib_without_dependencies():
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "pip install --no-deps -e ." in post_build.read_text()


def test_repo2docker_accepts_the_binder_config(tmp_path):
    repo2docker = shutil.which("repo2docker") or str(Path(sys.executable).parent / "repo2docker")
    # Run on a copy of binder/ alone, so the check is fast and independent of the working tree's size.
    shutil.copytree(ROOT / "binder", tmp_path / "binder")
    result = subprocess.run(
        [repo2docker, "--no-build", "--debug", str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in output
    assert "./binder/postBuild" in output
    assert "python=3.11" in output


def test_the_repository_holds_no_symlinks():
    """Symlinks break Windows checkouts, JupyterLite and nbgrader course folders (nnlib is installed)."""
    listing = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True)
    links = [line.split("\t", 1)[1] for line in listing.stdout.splitlines() if line.startswith("120000")]
    assert links == []


def markdown_links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)


def test_readme_links_resolve_and_list_every_notebook():
    readme = (ROOT / "README.md").read_text()
    local_links = [link for link in markdown_links(readme) if "://" not in link]
    for link in local_links:
        assert (ROOT / link).exists(), f"README links to {link}, which does not exist"
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"notebooks/{notebook.name}" in local_links, f"README's contents do not link {notebook.name}"


def test_readme_quick_start_has_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", section, re.S)
    assert block, "the Quick start section needs a code block"
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["make lab", "make test"], commands
