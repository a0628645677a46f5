"""Domain model and rules of the register. No Qt here: a test enforces it."""
