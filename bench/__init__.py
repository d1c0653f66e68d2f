"""`make bench`: performance figures, never timed assertions in tests."""
