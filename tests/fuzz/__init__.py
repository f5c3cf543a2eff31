"""Issue 6, point 5: hypothesis fuzzing of the loader, renderer and build; hostile and pathological input."""
