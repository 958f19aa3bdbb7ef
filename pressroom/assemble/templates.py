"""Templates in → HTML out: the Jinja environment of a locale (autoescape, StrictUndefined,
gettext from the locale's catalogue) and the filters the templates use; template errors are
reported at their template line. Fragments are never evaluated as templates: they reach a
template as its ``body``, already HTML.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import traceback
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from pressroom.diagnostics import Report, with_suggestion
from pressroom.model import TEMPLATES, Document
from pressroom.read.files import ProjectLoader
from pressroom.read.locales import PADDED, Locale


@lru_cache(maxsize=16)
def environment(root: Path, lang: Locale) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=ProjectLoader(root, root / TEMPLATES),  # a template linked out of the project is not found
        autoescape=True, undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    install_translations(env, lang.translations(root))
    env.filters["css_string"] = css_string
    env.filters["css_counters"] = css_counters
    env.filters["isolated"] = isolated
    return env


def isolated(text: str) -> str:
    """Text between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: in a running head of a
    right-to-left document, an English title keeps its punctuation where it belongs."""
    return f"\u2068{text}\u2069"


def install_translations(env: jinja2.Environment, translations) -> None:
    """gettext for the templates, with translations as data: a msgstr is escaped like any text
    (Jinja's own newstyle gettext marks it safe, so ``<b>`` in a .po would render bold), and a
    msgstr that is not a valid format string (``100 % complet``) is shown as written."""
    env.install_gettext_callables(_data_gettext(translations.gettext), _data_ngettext(translations.ngettext),
                                  newstyle=True)
    # install_gettext_callables wraps them again in Jinja's Markup-making newstyle functions: undo that
    env.globals.update(gettext=_data_gettext(translations.gettext), _=_data_gettext(translations.gettext),
                       ngettext=_data_ngettext(translations.ngettext))


def _formatted(msgid: str, msgstr: str, variables: dict) -> Markup:
    for text in (msgstr, msgid):  # a msgstr that cannot be formatted is shown as written, or its msgid
        if PADDED.search(text):  # '%999999999s' would make a string of a gigabyte: never formatted
            continue
        try:
            return escape(text) % variables
        except (ValueError, TypeError, KeyError):
            if not variables:
                return escape(text)
    return escape(msgid)


def _data_gettext(function):
    @jinja2.pass_context
    def gettext(_context, string: str, **variables) -> Markup:
        return _formatted(string, function(string), variables)
    return gettext


def _data_ngettext(function):
    @jinja2.pass_context
    def ngettext(_context, singular: str, plural: str, num: int, **variables) -> Markup:
        variables.setdefault("num", num)
        return _formatted(singular if num == 1 else plural, function(singular, plural, num), variables)
    return ngettext


def css_string(text: str) -> Markup:
    """Text as a CSS string inside <style>: '<' escaped too, or '</style>' would end the element."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def css_counters(text: str) -> Markup:
    """A translated "Page {page} of {pages}" → CSS content with the page counters."""
    parts = re.split(r"\{(page|pages)\}", str(text))
    return Markup(" ".join(css_string(p) if i % 2 == 0 else f"counter({p})"
                           for i, p in enumerate(parts) if p))


def timestamp(doc: Document) -> str:
    """Fixed document dates make builds reproducible: SOURCE_DATE_EPOCH, else 1 January of the year."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{doc.year:04d}-01-01T00:00:00Z"


def render_template(env: jinja2.Environment, name: str, context: dict, report: Report) -> str | None:
    """Render; a syntax error or an undefined name is reported at its template line."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        report.error(_template_path(exc.filename or name), exc.lineno, f"template syntax error: {exc.message}",
                     "fix the Jinja tag on this line")
    except jinja2.TemplateNotFound as exc:
        known = env.loader.list_templates() if env.loader else []
        if exc.name != name:  # an {% include %} or {% extends %}: at its line, in the template that names it
            path, line = _template_frame(exc, name)
            report.error(path, line, f"template {exc.name!r} not found in templates/",
                         "include or extend a template of templates/ by its file name (no '/' first, no '..')")
            return None
        report.error("content/pack.yaml", None, f"template {exc.name!r} not found",
                     with_suggestion(f"create templates/{exc.name} or fix the document's template",
                                     exc.name, [t for t in known if t.endswith(".j2")]))
    except jinja2.UndefinedError as exc:
        path, line = _template_frame(exc, name)
        missing = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", exc.message or "")
        names = list(context) + [a for v in context.values() for a in dir(v) if not a.startswith("_")]
        hint = with_suggestion("define it or fix the name", next(g for g in missing.groups() if g), names) \
            if missing else "define it or fix the name"
        report.error(path, line, f"undefined in template: {exc.message}", hint)
    return None


def _template_path(filename: str) -> str:
    parts = Path(filename).parts
    return str(Path(*parts[parts.index("templates"):])) if "templates" in parts else f"templates/{filename}"


def _template_frame(exc: BaseException, name: str) -> tuple[str, int | None]:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    return (_template_path(frames[-1].filename), frames[-1].lineno) if frames else (f"templates/{name}", None)
