"""Documents: the résumé and cover-letter versions a user uploads and attaches to the
applications they went to; validated on upload and served only to their owner."""
