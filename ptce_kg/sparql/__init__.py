"""SPARQL text: what ptce_kg writes and reads of queries and updates as text, in one place.

A leaf beside :mod:`ptce_kg.formats`: it imports nothing of ptce_kg but the error tree, and never
touches a store.

- :mod:`ptce_kg.sparql.lexer`: one tokenizer for queries and updates (strings, IRIs, comments read
  whole), and where a query's ``WHERE`` groups are (named queries bind their parameters there;
  the write path puts the Protocol's ``USING`` before an update's ``WHERE``);
- :mod:`ptce_kg.sparql.updates`: the updates that replace and drop named graphs (both store
  backends send them);
- :mod:`ptce_kg.sparql.reach`: what a query or an update would make an engine reach outside the
  store (SERVICE, LOAD, FROM, USING), read from rdflib's parse tree before any engine sees it;
- :mod:`ptce_kg.sparql.syntax`: SPARQL syntax errors a person can act on;
- :mod:`ptce_kg.sparql.terms`: an IRI or a literal written as SPARQL text, escaped (the one
  writer of constants: parameters, shape constants, link keys);
- :mod:`ptce_kg.sparql.binding`: a query's form, parameters bound as ``VALUES`` and ``BASE``, as a
  remote store sends them.
"""
