"""SPARQL text: what ptce_kg writes and reads of queries and updates as text, in one place.

A leaf beside :mod:`ptce_kg.formats`: it imports nothing of ptce_kg but the error tree, and never
touches a store.

- :mod:`ptce_kg.sparql.lexer`: one tokenizer for queries and updates (strings, IRIs, comments read
  whole), and where a query's ``WHERE`` groups are (named queries bind their parameters there;
  the write path puts the Protocol's ``USING`` before an update's ``WHERE``);
- :mod:`ptce_kg.sparql.updates`: the updates that replace and drop named graphs (both store
  backends send them).

Not here yet (issue 17): the reach analysis of ``store/reach.py``.
"""
