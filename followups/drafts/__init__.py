"""Reply drafts: the template library, placeholders, rendering a follow-up's draft, the
draft checker (contract: `check_draft`), the mail-client link, and the editor's pages.

Other code imports from here, not from the modules inside.
"""

from followups.drafts.checker import (
    EMAIL_WORD_LIMIT,
    ERROR,
    LINKEDIN_CHAR_LIMIT,
    WARNING,
    Finding,
    asks_for_feedback,
    check_draft,
    count_words,
    size_note,
)
from followups.drafts.mailto import mailto_url
from followups.drafts.placeholders import (
    fill_placeholders,
    normalize_label,
    placeholder_key,
    placeholder_values,
)
from followups.drafts.render import (
    channel_for_kind,
    channel_of,
    check_followup_draft,
    choose_template,
    clip_words,
    dismiss_finding,
    draft_for,
    fill_for,
    initial_draft,
    preview,
    preview_followups,
    render_draft,
    restore_findings,
    save_draft,
    user_override,
)

__all__ = [
    "EMAIL_WORD_LIMIT",
    "ERROR",
    "LINKEDIN_CHAR_LIMIT",
    "WARNING",
    "Finding",
    "asks_for_feedback",
    "channel_for_kind",
    "channel_of",
    "check_draft",
    "check_followup_draft",
    "choose_template",
    "clip_words",
    "dismiss_finding",
    "count_words",
    "draft_for",
    "fill_for",
    "fill_placeholders",
    "initial_draft",
    "mailto_url",
    "normalize_label",
    "placeholder_key",
    "placeholder_values",
    "preview",
    "preview_followups",
    "render_draft",
    "restore_findings",
    "save_draft",
    "size_note",
    "user_override",
]
