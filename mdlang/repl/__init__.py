"""The interactive session (``mdlang repl``): prompt, completion, highlighting and the executor.

* :mod:`mdlang.repl.app` — the prompt_toolkit application and ``cli_repl``;
* :mod:`mdlang.repl.executor` — runs what was typed against a :class:`~mdlang.engine.session.Session`;
* :mod:`mdlang.repl.completer` and :mod:`mdlang.repl.position` — context-aware tab completion;
* :mod:`mdlang.repl.lexer` — the Pygments lexer (also a Pygments plugin for ``*.mdl`` files).
"""
