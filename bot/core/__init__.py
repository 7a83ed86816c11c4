"""The platform-neutral engine: knowledge, index, retrieval. Imports neither Slack nor Teams."""
