"""Wagtail's end of an approved workflow, through the publish gate: named by the
WAGTAIL_FINISH_WORKFLOW_ACTION setting (docs/publish-gate.md)."""


def workflow_state_finish(workflow_state, user=None) -> None:
    """Publish the approved page unless its publish gate must be clean and is not
    (content.gate.services.workflow_state_publish)."""
    # Imported here, an exception to the app's rule: Wagtail imports this module
    # while its own models load (WorkflowState.on_finish), before ours can be.
    from content.gate.services import workflow_state_publish

    workflow_state_publish(workflow_state, user=user)
