"""Languages and translation: locales, message extraction, gettext catalogs (read, merge, write, check),
the translators' commands, localized documents and the interface strings."""
