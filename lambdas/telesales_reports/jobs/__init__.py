"""Scheduled Lambda jobs (EventBridge): not part of the report API."""
