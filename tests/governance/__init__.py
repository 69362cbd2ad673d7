"""Tests of councils, proposals, ballots, delegates and counting."""
