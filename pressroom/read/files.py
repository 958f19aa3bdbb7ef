"""The one door for reading project files: every file the build reads is named relative to the
project and goes through ``project_file`` — fragments, templates, fonts and stylesheets, the
bibliography, the CSL style, catalogues, titles, form files.

A name that is absolute, that holds ``..``, or whose file (or a folder on its way) is a link
resolving outside the project, is refused: reported at the line that named it (pack.yaml, a
fragment), never opened. Nothing outside the project is ever read, whatever the names say.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from pressroom.diagnostics import Report

URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")  # http:, file:, data: … (a drive letter is one letter)
OUTSIDE_HINT = "name a file inside the project, relative to it (no '..', no absolute path, no link out)"


def name_problem(name: str) -> str | None:
    """Why ``name`` (a project-relative file name as written) cannot name a project file."""
    if not name or "\x00" in name:
        return "is empty" if not name else "holds a NUL character"
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or name.startswith(("~", "\\")):
        return "is an absolute path"
    if ".." in posix.parts or ".." in windows.parts:
        return "goes up out of its folder ('..')"
    if URL.match(name):
        return "is a URL: the build reads only files of the project, never the network"
    return None


def inside(root: Path, path: Path) -> bool:
    """``path`` (following every link on its way) resolves inside ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a link loop
        return False


def project_file(root: Path, name: str | Path, report: Report | None = None, where: str = "",
                 line: int | None = None, what: str = "file", base: Path | None = None) -> Path | None:
    """``root / base / name`` when it may be read; otherwise None, after reporting at ``where:line``.

    ``base`` is a folder of the project (``templates``, ``content/en/qa``) the name is relative to."""
    text = str(name)
    problem = name_problem(text)
    path = root / (base or Path()) / text
    if problem is None and not inside(root, path):
        problem = "is a link that leads outside the project"
    if problem is None:
        return path
    if report is not None:
        report.error(where or text, line, f"{what} {text!r} {problem}", OUTSIDE_HINT)
    return None


def read_project_bytes(root: Path, path: Path) -> bytes:
    """The bytes of a project file already named by ``project_file`` — checked again as it is
    opened, so a link swapped in meanwhile is still refused."""
    if not inside(root, path):
        raise PermissionError(f"refused to read {path}: it resolves outside the project")
    return path.read_bytes()


class ProjectLoader:
    """A Jinja loader over ``templates/`` that reads only through the door: a template (or an
    ``{% include %}``) that is a link out of the project is not found."""

    def __new__(cls, root: Path, folder: Path):
        import jinja2

        class Loader(jinja2.FileSystemLoader):
            def get_source(self, environment, template):
                if name_problem(template) or not inside(root, folder / template):
                    raise jinja2.TemplateNotFound(template)
                return super().get_source(environment, template)

            def list_templates(self):
                return [t for t in super().list_templates() if inside(root, folder / t)]

        return Loader(str(folder))
