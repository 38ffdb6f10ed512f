"""SPARQL text: what ptce_kg writes and reads of queries and updates as text, in one place.

A leaf beside :mod:`ptce_kg.formats`: it imports nothing of ptce_kg but the error tree, and never
touches a store. :mod:`ptce_kg.sparql.updates` writes the updates that replace and drop named
graphs (both store backends send them).
"""
