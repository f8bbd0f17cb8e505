"""The test settings with a schedule due every second, for the schedulers that
tests/zhongcao/test_scheduling.py starts in processes of their own."""

from zhongcao.settings.test import *  # noqa: F403

ZHONGCAO_SCHEDULE = {
    "zhongcao.tasks.purge_task_records": {"second": "*"},
    "affiliates.tasks.approve_commissions": {"second": "*/2"},
}
