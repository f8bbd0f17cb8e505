"""The project's system checks (zhongcao.checks)."""

from django.core import checks

from zhongcao.checks import metrics_directory_exists


def test_a_metrics_directory_that_does_not_exist_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert metrics_directory_exists(None) == []
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert metrics_directory_exists(None) == []
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    [error] = metrics_directory_exists(None)
    assert error.id == "zhongcao.E002"
    assert error.level == checks.ERROR
