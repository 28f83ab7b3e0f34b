"""The source content: documents (articles and glossary terms) parsed from Markdown, their inline markup
and sentences. Everything downstream reads this model; nothing here knows about languages or audio."""
