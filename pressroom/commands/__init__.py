"""Commands: what people run → stages called, diagnostics printed, exit codes.

``cli`` (printing and exit codes for every task), ``check``, ``watch``, ``preflight``,
``package`` (the printer's folder), ``collect/`` (filled forms → a table), ``translations``
and ``i18n`` (the translators' hand-off). Nothing outside this folder imports it.
"""
