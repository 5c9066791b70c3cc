"""Sphinx extension: drop scripts that appear twice on a page.

With jupyter-book 1.0.4, sphinx-thebe 0.3.1 and Sphinx 7.4, the inline script that declares
``const THEBE_JS_URL`` is added to every page twice, and the browser reports
``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``. The built-book test caught it;
this removes exact duplicates (same file, same inline body) and keeps the first of each.
"""

from __future__ import annotations


def _unique(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # An inline script's filename is None or "" depending on who added it: the same script either way.
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _unique, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
