"""Editors' reports, one per module, over base.EditorsReportView."""
