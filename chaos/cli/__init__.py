"""The ``mysql-chaos`` command line: parse, call the library, render."""
