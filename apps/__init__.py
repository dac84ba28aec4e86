"""The clients under test: reconnect strategies and the seed's Flask app.

This directory is installed as ``mysql_chaos_apps`` (see ``pyproject.toml``): a top-level
package named ``apps`` would clash with the many projects that have their own. Imported as
``apps`` from a checkout, its modules would load a second time under another name.
"""

if __name__ != "mysql_chaos_apps":
    raise ImportError(
        f"import this package as mysql_chaos_apps, not {__name__} "
        "(pip install -e . maps the apps/ directory to that name)"
    )
