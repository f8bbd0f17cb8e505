"""The import contracts of pyproject.toml ([tool.importlinter]) hold, and they fail the
build on a back-import: a copy of the tree where products imports content, where a
model imports its app's services, or where tracking reaches up to commissions, is
refused with the line that does it (a page model included: the contracts have no
exceptions)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
APPS = ("products", "affiliates", "content")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own venv's command, fixed arguments)
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": f"{root / 'site'}:{root}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tree_copy(tmp_path):
    """The code and the contracts, copied: enough for import-linter, nothing else."""
    ignore = shutil.ignore_patterns("__pycache__", "locale", "templates", "static")
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=ignore)
    shutil.copytree(ROOT / "site", tmp_path / "site", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_its_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_back_import_between_apps_breaks_the_build(tree_copy):
    with (tree_copy / "products" / "models.py").open("a") as module:
        module.write("\nimport content.models  # noqa\n")
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "products.models -> content.models" in result.stdout


def test_a_model_importing_its_services_breaks_the_build(tree_copy):
    with (tree_copy / "products" / "models.py").open("a") as module:
        module.write("\nimport products.services  # noqa\n")
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "products.models -> products.services" in result.stdout


def test_a_domain_reaching_up_breaks_the_build(tree_copy):
    tracking = tree_copy / "affiliates" / "tracking" / "services.py"
    with tracking.open("a") as module:
        module.write(
            "\n\ndef _settle():\n"
            "    from affiliates.commissions.services import conversions  # noqa\n"
        )
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert (
        "affiliates.tracking.services -> affiliates.commissions.services.conversions"
        in result.stdout
    )


def test_a_page_model_reaching_up_to_the_reader_site_breaks_the_build(tree_copy):
    """No exception is left for the page models (content.models.PageDelegates)."""
    with (tree_copy / "content" / "models.py").open("a") as module:
        module.write(
            "\n\ndef _context():\n"
            "    from content.reader.pages import home_page_context  # noqa\n"
        )
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "content.models -> content.reader.pages" in result.stdout
