"""Reports of a matrix run: terminal table, JUnit XML, JSON, Markdown, HTML."""
