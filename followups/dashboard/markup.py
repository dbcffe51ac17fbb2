"""Follow-up rows as HTML, written in Python: the markup every page that lists follow-up
rows shows (the dashboard, a group's pages, an action's answer, quick log's result).

The template engine's per-node cost (~60 nodes a row: variable lookups through the
context stack, {% if %} and {% with %}) was the largest part of the heavy dashboard's
time beyond a bare page (docs/performance.md#dashboard). Every value goes through
`html.escape`, which is what Django's autoescaping applies (`django.utils.html.escape`);
the page's Content-Security-Policy is unchanged (no inline script or style added).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from crm.markup import local_date
from followups.dashboard.rows import Row
from followups.models import FollowUp


def rows_html(rows: Iterable[Row], next_query: str) -> SafeString:
    """One `<li class="followup-row">` per row; the buttons submit the page's
    #followup-actions form (actions_form.html), `next_query` is the page to come back to
    without JavaScript, URL-encoded (row_context)."""
    return mark_safe("".join(row_html(row, next_query) for row in rows))


def row_html(row: Row, next_query: str) -> str:
    fu = row.followup
    pk = fu.pk
    status = fu.status
    pending = status == FollowUp.Status.PENDING
    sr = f'<span class="visually-hidden"> ({escape(row.sr_name)})</span>'
    badge = (
        f' <span class="badge text-bg-{row.status_badge} ms-1">'
        f"{escape(str(fu.get_status_display()))}</span>"
        if row.status_badge
        else ""
    )
    parts = [
        f'<li class="list-group-item py-3 followup-row" id="followup-{pk}" '
        f'data-status="{escape(status)}" hx-target="this" hx-swap="outerHTML">\n'
        '  <div class="d-flex flex-column flex-md-row justify-content-between gap-2">\n'
        '    <div class="flex-grow-1" style="min-width: 0">\n'
        f'      <div class="fw-semibold">{escape(row.title)}{badge}</div>\n'
    ]
    if row.where:
        parts.append(f'      <div class="small text-body-secondary">{escape(row.where)}</div>\n')
    if pending:
        parts.append(_pending_details(row, sr))
    else:
        parts.append(_finished_details(row))
    if row.notice:
        notice = escape(row.notice)
        parts.append(f'      <div class="small mt-1 fw-semibold" role="status">{notice}</div>\n')
    parts.append(
        '    </div>\n    <div class="d-flex flex-wrap align-items-start gap-1 flex-shrink-0">\n'
    )
    parts.append(_buttons(row, sr, next_query))
    parts.append("    </div>\n  </div>\n</li>\n")
    return "".join(parts)


def _pending_details(row: Row, sr: str) -> str:
    fu = row.followup
    pk = fu.pk
    lines = [
        '      <div class="small">\n'
        f'        Due <time datetime="{fu.due_at.isoformat()}">{escape(row.due_label)}</time>'
        f" ({escape(row.due_phrase)})\n"
    ]
    if fu.deadline:
        phrase = escape(row.deadline_phrase)
        late = (
            f'<span class="badge text-bg-danger">{phrase}</span>' if row.is_late else f"({phrase})"
        )
        lines.append(
            f'        · deadline <time datetime="{fu.deadline.isoformat()}">'
            f"{escape(row.deadline_label)}</time>\n          {late}\n"
        )
    lines.append("      </div>\n")
    if error := fu.delivery_error:
        lines.append(
            '      <div class="small text-danger" role="alert">The reminder email could not '
            f"be sent: {escape(error)}</div>\n"
        )
    if (delay := fu.delivery_delay) and fu.next_attempt_at:  # delivery_delay: it is set
        lines.append(
            '      <div class="small text-warning-emphasis">The reminder email is delayed: the '
            f"mail server said “{escape(Truncator(delay).chars(160))}”; the scheduler tries "
            f'again <time datetime="{fu.next_attempt_at.isoformat()}">'
            f"{escape(local_date(fu.next_attempt_at, 'D j M, H:i'))}</time>.</div>\n"
        )
    if row.preview:
        lines.append(
            '      <div class="small text-body-secondary text-truncate" '
            f'title="{escape(fu.draft_subject)}">“{escape(row.preview)}”</div>\n'
        )
    if row.offers_feedback_choice:
        checked = " checked" if row.asks_for_feedback else ""
        lines.append(
            '      <div class="form-check small mb-0 mt-1">\n'
            f'        <input class="form-check-input" type="checkbox" id="feedback-{pk}" '
            f'name="requests_feedback_{pk}" form="followup-actions"{checked}>\n'
            f'        <input type="hidden" id="feedback-choice-{pk}" '
            f'name="feedback_choice_{pk}" value="1" form="followup-actions">\n'
            f'        <label class="form-check-label" for="feedback-{pk}">Asks for feedback'
            f"{sr}: nudge once if they stay silent</label>\n"
            "      </div>\n"
        )
    return "".join(lines)


def _finished_details(row: Row) -> str:
    fu = row.followup
    lines = []
    if row.next_up:
        items = "".join(
            f"<li>Next: {escape(str(later.get_kind_display()))}, due "
            f'<time datetime="{local_date(later.due_at, "c")}">'
            f"{escape(local_date(later.due_at, 'D j M Y, H:i'))}</time></li>"
            for later in row.next_up
        )
        lines.append(
            f'      <ul class="small mb-0 mt-1 ps-3 next-up">\n        {items}\n      </ul>\n'
        )
    if fu.status == FollowUp.Status.CANCELLED and fu.cancel_reason:
        reason = escape(fu.cancel_reason)
        lines.append(f'      <div class="small text-body-secondary">{reason}</div>\n')
    return "".join(lines)


def _submit(style: str, url: str, inner: str, extra: str = "") -> str:
    """A row button: submits #followup-actions to `url` without JavaScript, htmx posts it."""
    return (
        f'        <button class="btn btn-sm {style}" type="submit" form="followup-actions" '
        f'formaction="{url}" hx-post="{url}"{extra}>{inner}</button>\n'
    )


def _buttons(row: Row, sr: str, next_query: str) -> str:
    fu = row.followup
    urls = {name: escape(url) for name, url in row.urls.items()}
    status = fu.status
    if status == FollowUp.Status.PENDING:
        include = (
            f' hx-include="#feedback-{fu.pk}, #feedback-choice-{fu.pk}"'
            if row.offers_feedback_choice
            else ""
        )
        draft = (
            f'        <a class="btn btn-sm btn-outline-primary" href="{escape(row.draft_url)}">'
            f"Open draft{sr}</a>\n"
            if row.draft_url
            else ""
        )
        snooze = urls["snooze"]
        # The snooze choices load on first open (htmx); without JavaScript the link opens
        # them on a page.
        return (
            _submit("btn-success", urls["mark_sent"], f"{escape(row.done_label)}{sr}", include)
            + draft
            + f'        <details class="snooze-menu" hx-get="{snooze}" hx-trigger="toggle once" '
            'hx-target="find .snooze-options" hx-swap="innerHTML">\n'
            '          <summary class="btn btn-sm btn-outline-secondary">Snooze</summary>\n'
            '          <div class="snooze-options border rounded p-2 mt-1 bg-body shadow-sm">'
            f'<a href="{snooze}?next={escape(next_query)}">Choose when…</a></div>\n'
            "        </details>\n" + _submit("btn-outline-danger", urls["dismiss"], f"Dismiss{sr}")
        )
    if status == FollowUp.Status.DONE and row.notice:
        hidden = f"{escape(row.done_label.lower())} ({escape(row.sr_name)})"
        inner = f'Undo<span class="visually-hidden"> {hidden}</span>'
        return _submit("btn-outline-secondary", urls["undo_sent"], inner)
    if status == FollowUp.Status.DISMISSED:
        inner = f'Undo<span class="visually-hidden"> the dismiss ({escape(row.sr_name)})</span>'
        return _submit("btn-outline-secondary", urls["reopen"], inner)
    return ""
