"""What readers get: the per-locale site model, HTML pages, EPUB 3 books, offline bundles, and the atomic
output generations they are published in."""
