"""The Slack adapter: Bolt listeners that turn Slack events into engine calls and
engine answers into Block Kit."""
