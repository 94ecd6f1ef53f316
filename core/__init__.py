"""The bottom layer (docs/decisions/0005-layers.md): error types and their answers in the API and the
pages, the admin and API base classes, command-line helpers. It depends on no app of the project."""
