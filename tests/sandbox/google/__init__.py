"""Tests of the Google emulators."""
