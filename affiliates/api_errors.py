"""The error shape of the affiliates' API endpoints (commissions/api.py,
analytics/api.py): a short code, the field at fault and a sentence."""

from ninja import Field, Schema, Status


class Error(Schema):
    error: str = Field(
        description="A short code: not_found, signature, invalid, too_large, conflict."
    )
    field: str | None = Field(None, description="The request field at fault.")
    detail: str


def error_response(status: int, error: str, detail: str, *, field: str | None = None):
    return Status(status, {"error": error, "field": field, "detail": detail})
