"""The semantic checker: what is certainly wrong with a script, found before any data is read.

* :mod:`~mdlang.semantics.check` — ``check_script``, ``check_text``, ``final_scope``, ``scopes``
* :mod:`~mdlang.semantics.scope` — what exists after each statement (also read by the REPL)
* :mod:`~mdlang.semantics.diagnostics` — ``Diagnostic`` and its text/JSON forms
* :mod:`~mdlang.semantics.cli` — ``mdlang check``
* rules: :mod:`~mdlang.semantics.commands`, :mod:`~mdlang.semantics.imports`,
  :mod:`~mdlang.semantics.options`, :mod:`~mdlang.semantics.exprs`; shared state in
  :mod:`~mdlang.semantics.checker`; suggestions in :mod:`~mdlang.semantics.suggest`

Nothing here imports pandas, so ``mdlang check`` starts fast.
"""
