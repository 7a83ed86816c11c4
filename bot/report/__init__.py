"""The knowledge-gap report: ``rolle report`` and the admins' view in Slack and Teams."""

from __future__ import annotations

from bot.report.gaps import Gap, group_questions
from bot.report.render import render_html, render_text
from bot.report.summary import DislikedPassage, Report, build_report, top_gaps

__all__ = ["DislikedPassage", "Gap", "Report", "build_report", "group_questions",
           "render_html", "render_text", "top_gaps"]
