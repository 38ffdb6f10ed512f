"""The HTTP adapter: ``create_app(settings)`` builds the FastAPI application."""

from ptce_kg.web.app import create_app

__all__ = ["create_app"]
