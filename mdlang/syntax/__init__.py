"""Parsing: the lark grammar, the AST, the transformer, friendly syntax errors and the printer."""
