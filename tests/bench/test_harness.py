from bench.harness import machine_steal_ticks

PROC_STAT = """cpu  150955 4634 14560 72622 1612 0 4823 276 900 0
cpu0 75000 2000 7000 36000 800 0 2400 130 450 0
intr 1 2 3
"""


def test_steal_is_the_eighth_field_of_the_machine_line():
    stolen, all_ticks = machine_steal_ticks(PROC_STAT)
    assert stolen == 276
    # guest time (the ninth field) is already in user time: not counted twice
    assert all_ticks == 150955 + 4634 + 14560 + 72622 + 1612 + 0 + 4823 + 276


def test_a_kernel_without_a_steal_field_reports_none():
    assert machine_steal_ticks("cpu  10 20 30 40\n") == (0, 100)


def test_this_machine_reads_its_own_figures():
    stolen, all_ticks = machine_steal_ticks()
    assert 0 <= stolen <= all_ticks
