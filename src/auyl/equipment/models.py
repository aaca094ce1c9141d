"""Models of the equipment app."""
