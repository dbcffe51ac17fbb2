"""Mailbox sync: the user's own IMAP mailbox read into triage and interactions.

transport (IMAPClient: connect, test, discover folders), mime (bytes to text), classify
(what a message is about), sync (one run of one mailbox, under a lease), crypto (the
stored password), forms and views (Preferences → Mailbox, the Inbox triage page).
"""
